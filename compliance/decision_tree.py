"""The AI Act decision tree (the beslishulp of MinBZK/ai-verordening-beslishulp) read, checked and run.

The tree is YAML: questions with answers; an answer adds labels and leads to a next question or a
conclusion, directly or through ``redirects`` whose ``if`` conditions are read over the labels gathered
so far (the answer's own included). As in the beslishulp's frontend, the first redirect whose
condition holds is taken. Here labels are a set and membership is exact (see
:mod:`compliance.conditions`).

:func:`evaluate` runs the tree on a set of answers; :func:`explore` walks every path, so tests can reach
each conclusion without hand-written answers and report those no path reaches. The graph form of the
tree (``tree_triples``) is in :mod:`compliance.tree_graph`.
"""

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from compliance.conditions import Condition, ConditionError, parse
from loader.errors import AlgokgError, SourceError
from loader.reconcile.cache import Pin, fetch
from loader.sources.yaml_text import load_yaml

# Beslishulp label -> (Algoritmekader AI Act tag group, tag). Labels outside these groups (in gebruik,
# beoordeling door derde partij, geen algoritme, ...) are kept as labels but select nothing.
AK_TAGS: dict[str, tuple[str, str]] = {
    "aanbieder": ("rol-ai-act", "aanbieder"),
    "gebruiksverantwoordelijke": ("rol-ai-act", "gebruiksverantwoordelijke"),
    "importeur": ("rol-ai-act", "importeur"),
    "distributeur": ("rol-ai-act", "distributeur"),
    "AI-systeem": ("soort-toepassing", "ai-systeem"),
    "AI-systeem voor algemene doeleinden": ("soort-toepassing", "ai-systeem-voor-algemene-doeleinden"),
    "AI-model voor algemene doeleinden": ("soort-toepassing", "ai-model-voor-algemene-doeleinden"),
    "verboden AI": ("risicogroep", "verboden-ai"),
    "hoog-risico AI": ("risicogroep", "hoog-risico-ai-systeem"),
    "geen hoog-risico AI": ("risicogroep", "geen-hoog-risico-ai-systeem"),
    "uitzondering van toepassing": ("risicogroep", "uitzondering-van-toepassing"),
    "transparantieverplichting": ("transparantieverplichting", "transparantieverplichting"),
    "geen transparantieverplichting": ("transparantieverplichting", "geen-transparantieverplichting"),
    "systeemrisico": ("systeemrisico", "systeemrisico"),
    "geen systeemrisico": ("systeemrisico", "geen-systeemrisico"),
    "open-source": ("open-source", "open-source"),
    "geen open-source": ("open-source", "geen-open-source"),
}
# The Algoritmekader's tag groups; a group the tree did not settle is "niet-van-toepassing", as the
# beslishulp marks undecided categories when it reaches a conclusion.
# The published tree at a fixed commit, for users who give no --tree. GitHub publishes no digest and this
# machine had no network: the commit fixes the content; pin the sha256 after checking a first download.
TREE_REPOSITORY = "MinBZK/ai-verordening-beslishulp"
TREE_COMMIT = "54d0fd54f11b4c430cefdc72579c3fb5711579e8"
TREE_PIN = Pin(
    name=f"ai-act-decision-tree-{TREE_COMMIT[:12]}.yaml",
    url=f"https://raw.githubusercontent.com/{TREE_REPOSITORY}/{TREE_COMMIT}/decision-tree.yaml",
)


def pinned_tree(*, refresh: bool = False) -> Path:
    """The published decision tree at :data:`TREE_COMMIT`, downloaded once into the cache.

    :raises loader.reconcile.cache.ReconcileError: it can neither be downloaded nor found in the cache.
    """
    return fetch(TREE_PIN, refresh=refresh).path


TAG_GROUPS = (
    "soort-toepassing",
    "rol-ai-act",
    "risicogroep",
    "transparantieverplichting",
    "systeemrisico",
    "open-source",
)
NOT_APPLICABLE = "niet-van-toepassing"


class DecisionTreeError(AlgokgError):
    """The tree file is malformed, or answers do not lead through it; ``field`` is the question id."""


@dataclass(frozen=True)
class Redirect:
    condition: Condition
    next_question: str | None
    next_conclusion: str | None


@dataclass(frozen=True)
class Option:
    """One answer a question offers."""

    text: str
    labels: tuple[str, ...]
    next_question: str | None
    next_conclusion: str | None
    redirects: tuple[Redirect, ...]
    subresult: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    explanation: str
    category: str
    subcategory: str
    options: tuple[Option, ...]
    sources: tuple[Source, ...] = ()

    def option(self, answer: "str | int") -> tuple[int, Option]:
        """The option an answer names: its text (case and outer spaces ignored) or its 1-based number."""
        if isinstance(answer, int) and not isinstance(answer, bool):
            if 1 <= answer <= len(self.options):
                return answer - 1, self.options[answer - 1]
        else:
            wanted = str(answer).strip().casefold()
            for index, option in enumerate(self.options):
                if option.text.strip().casefold() == wanted:
                    return index, option
        choices = "; ".join(f"{n}. {o.text}" for n, o in enumerate(self.options, 1))
        raise DecisionTreeError(
            f"{answer!r} is not an answer to {self.text!r}; choose one of: {choices}", field=self.id
        )


@dataclass(frozen=True)
class Conclusion:
    id: str
    text: str
    obligation: str
    comment: str | None = None
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class DecisionTree:
    """A checked tree: every next question and conclusion exists and every condition parses.

    :param sha256: of the file's bytes; with ``version`` it says exactly which tree was used.
    """

    name: str
    version: str
    sha256: str
    first: str
    questions: dict[str, Question]
    conclusions: dict[str, Conclusion]
    source: str = ""


@dataclass(frozen=True)
class Step:
    question: str
    option: int
    answer: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """Where a set of answers leads: the conclusion, the labels gathered and the path taken."""

    conclusion: Conclusion
    steps: tuple[Step, ...]
    labels: tuple[str, ...]
    subresults: tuple[str, ...] = ()
    unused: tuple[str, ...] = ()

    @property
    def answers(self) -> dict[str, str]:
        return {step.question: step.answer for step in self.steps}

    def labels_from(self, question: str) -> tuple[str, ...]:
        return next((step.labels for step in self.steps if step.question == question), ())

    @property
    def ak_tags(self) -> frozenset[str]:
        """The outcome as Algoritmekader AI Act tags (``group-value``), undecided groups ``niet-van-toepassing``."""
        tags = {f"{AK_TAGS[label][0]}-{AK_TAGS[label][1]}" for label in self.labels if label in AK_TAGS}
        settled = {AK_TAGS[label][0] for label in self.labels if label in AK_TAGS}
        return frozenset(tags | {f"{group}-{NOT_APPLICABLE}" for group in TAG_GROUPS if group not in settled})

    def group(self, name: str) -> tuple[str, ...]:
        """The labels of one tag group (e.g. ``rol-ai-act``) in the order they were given."""
        return tuple(label for label in self.labels if AK_TAGS.get(label, ("",))[0] == name)


def read_tree(path: Path) -> DecisionTree:
    """Read and check a beslishulp ``decision-tree.yaml``.

    :raises DecisionTreeError: unreadable YAML, a missing field, a duplicate id, a dangling next
        question or conclusion, or a condition that does not parse (with the question id).
    """
    try:
        data = path.read_bytes()
        document = load_yaml(data.decode("utf-8-sig"), label=str(path))  # within the loader's input limits
    except (OSError, UnicodeDecodeError) as error:
        raise DecisionTreeError(f"cannot read the decision tree: {error}", path=path) from error
    except SourceError as error:
        raise DecisionTreeError(f"cannot read the decision tree: {error.message}", path=path, line=error.line) from None
    if not isinstance(document, dict) or not document.get("questions") or not document.get("conclusions"):
        raise DecisionTreeError("a decision tree needs 'questions' and 'conclusions'", path=path)
    questions = _unique([_question(item, path) for item in document["questions"]], path)
    conclusions = _unique([_conclusion(item, path) for item in document["conclusions"]], path)
    tree = DecisionTree(
        name=str(document.get("name") or "decision tree"),
        version=str(document.get("version") or ""),
        sha256=hashlib.sha256(data).hexdigest(),
        first=str(document["questions"][0]["questionId"]),
        questions=questions,
        conclusions=conclusions,
        source=str(path),
    )
    _check_targets(tree, path)
    return tree


def _unique(items: "list[Question] | list[Conclusion]", path: Path) -> dict:
    found: dict = {}
    for item in items:
        if item.id in found:
            raise DecisionTreeError(f"id {item.id!r} occurs twice", path=path, field=item.id)
        found[item.id] = item
    return found


def _sources(raw: object) -> tuple[Source, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        Source(str(s.get("source", "")).strip(), (str(s["url"]).strip() if s.get("url") else None))
        for s in raw
        if isinstance(s, dict)
    )


def _question(raw: object, path: Path) -> Question:
    if not isinstance(raw, dict) or "questionId" not in raw or not raw.get("answers"):
        raise DecisionTreeError(f"a question needs questionId and answers: {str(raw)[:80]}", path=path)
    qid = str(raw["questionId"])
    options = []
    for answer in raw["answers"]:
        try:
            redirects = tuple(
                Redirect(parse(str(r["if"])), _id(r.get("nextQuestionId")), _id(r.get("nextConclusionId")))
                for r in answer.get("redirects") or []
            )
        except (ConditionError, KeyError, TypeError) as error:
            raise DecisionTreeError(f"a redirect of {answer.get('answer')!r}: {error}", path=path, field=qid) from None
        option = Option(
            text=str(answer.get("answer", "")).strip(),
            labels=tuple(str(label) for label in answer.get("labels") or []),
            next_question=_id(answer.get("nextQuestionId")),
            next_conclusion=_id(answer.get("nextConclusionId")),
            redirects=redirects,
            subresult=answer.get("subresult"),
            comment=answer.get("answerComment"),
        )
        if not (option.next_question or option.next_conclusion or option.redirects):
            raise DecisionTreeError(f"answer {option.text!r} leads nowhere", path=path, field=qid)
        options.append(option)
    return Question(
        id=qid,
        text=str(raw.get("question", "")).strip(),
        explanation=str(raw.get("explanation") or "").strip(),
        category=str(raw.get("category") or ""),
        subcategory=str(raw.get("subcategory") or ""),
        options=tuple(options),
        sources=_sources(raw.get("sources")),
    )


def _conclusion(raw: object, path: Path) -> Conclusion:
    if not isinstance(raw, dict) or "conclusionId" not in raw:
        raise DecisionTreeError(f"a conclusion needs a conclusionId: {str(raw)[:80]}", path=path)
    return Conclusion(
        id=str(raw["conclusionId"]),
        text=str(raw.get("conclusion", "")).strip(),
        obligation=str(raw.get("obligation", "")).strip(),
        comment=raw.get("conclusionComment"),
        sources=_sources(raw.get("sources")),
    )


def _id(value: object) -> str | None:
    return None if value is None else str(value)


def _check_targets(tree: DecisionTree, path: Path) -> None:
    for question in tree.questions.values():
        for option in question.options:
            for target in (option, *option.redirects):
                if target.next_question and target.next_question not in tree.questions:
                    raise DecisionTreeError(
                        f"{option.text!r} leads to unknown question {target.next_question!r}",
                        path=path,
                        field=question.id,
                    )
                if target.next_conclusion and target.next_conclusion not in tree.conclusions:
                    raise DecisionTreeError(
                        f"{option.text!r} leads to unknown conclusion {target.next_conclusion!r}",
                        path=path,
                        field=question.id,
                    )


def next_step(question: Question, option: Option, labels: frozenset[str]) -> tuple[str | None, str | None]:
    """(next question, next conclusion) after ``option``, given the labels gathered (the option's included).

    :raises DecisionTreeError: no redirect condition holds for these labels.
    """
    if not option.redirects:
        return option.next_question, option.next_conclusion
    for redirect in option.redirects:
        if redirect.condition(labels):
            return redirect.next_question, redirect.next_conclusion
    raise DecisionTreeError(f"no redirect of {option.text!r} applies to the labels {sorted(labels)}", field=question.id)


def evaluate(tree: DecisionTree, answers: Mapping[str, "str | int"]) -> Outcome:
    """Run the tree from its first question with ``answers`` (question id -> answer text or number).

    :raises DecisionTreeError: a question on the path is not answered or the answer is not one of its
        options (the message lists them), no redirect applies, or the path loops.
    """
    steps: list[Step] = []
    labels: dict[str, None] = {}
    subresults: list[str] = []
    current: str | None = tree.first
    seen: set[tuple[str, frozenset[str]]] = set()
    while current is not None:
        question = tree.questions[current]
        state = (current, frozenset(labels))
        if state in seen:
            raise DecisionTreeError("the answers lead around in a loop", field=current)
        seen.add(state)
        if current not in answers:
            choices = "; ".join(f"{n}. {o.text}" for n, o in enumerate(question.options, 1))
            raise DecisionTreeError(f"not answered: {question.text!r}; choose one of: {choices}", field=current)
        index, option = question.option(answers[current])
        labels.update(dict.fromkeys(option.labels))
        if option.subresult:
            subresults.append(str(option.subresult))
        steps.append(Step(current, index, option.text, option.labels))
        current, conclusion = next_step(question, option, frozenset(labels))
        if conclusion is not None:
            used = {step.question for step in steps}
            return Outcome(
                conclusion=tree.conclusions[conclusion],
                steps=tuple(steps),
                labels=tuple(labels),
                subresults=tuple(subresults),
                unused=tuple(sorted(set(answers) - used)),
            )
    raise DecisionTreeError("the answers end without a conclusion", field=steps[-1].question if steps else None)


@dataclass(frozen=True)
class DeadEnd:
    """A path on which no redirect applies: the answers so far and why it stops."""

    answers: dict[str, str]
    reason: str


@dataclass
class Exploration:
    """Every path through a tree: for each conclusion the first (shortest) answers that reach it."""

    reached: dict[str, dict[str, str]] = field(default_factory=dict)
    paths: int = 0
    dead_ends: list[DeadEnd] = field(default_factory=list)

    def unreachable(self, tree: DecisionTree) -> set[str]:
        return set(tree.conclusions) - set(self.reached)


def explore(tree: DecisionTree) -> Exploration:
    """Walk every path (depth first, breadth of answers in order) and record where each ends."""
    found = Exploration()
    for answers, ending in _walk(tree, tree.first, {}, frozenset(), frozenset()):
        found.paths += 1
        if isinstance(ending, DeadEnd):
            found.dead_ends.append(ending)
        elif ending not in found.reached or len(answers) < len(found.reached[ending]):
            found.reached[ending] = answers
    return found


def _walk(
    tree: DecisionTree,
    current: str,
    answers: dict[str, str],
    labels: frozenset[str],
    visited: frozenset[tuple[str, frozenset[str]]],
) -> "Iterator[tuple[dict[str, str], str | DeadEnd]]":
    question = tree.questions[current]
    state = (current, labels)
    if state in visited:
        yield answers, DeadEnd(answers, f"loop back to question {current}")
        return
    for option in question.options:
        given = {**answers, current: option.text}
        gathered = labels | frozenset(option.labels)
        try:
            following, conclusion = next_step(question, option, gathered)
        except DecisionTreeError as error:
            yield given, DeadEnd(given, error.message)
            continue
        if conclusion is not None:
            yield given, conclusion
        elif following is not None:
            yield from _walk(tree, following, given, gathered, visited | {state})
