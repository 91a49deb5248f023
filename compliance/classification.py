"""A run of the AI Act decision tree stored as an ``akg:Classification`` of an algorithm, with PROV-O.

An organisation fills in an answers file (YAML or JSON)::

    answered_by: Team Data & Analyse, gemeente Voorbeeld   # who answered (required)
    organisation: https://identifier.overheid.nl/tooi/id/gemeente/gm0363   # on whose behalf (optional)
    answered_at: 2026-05-01T10:00:00+02:00                 # optional; default: now
    answers:                                               # question id -> answer text (or its number)
      "1.1": Ja
      "1.2": We ontwikkelen en gebruiken het zelf

:func:`classify` runs the tree on it; :func:`classification_triples` records who answered, when, with
which tree (IRI, version, sha256), every answer, the conclusion, the labels (as given and as the model's
concepts) and the Algoritmekader requirements the labels select. :func:`commit_classification` writes
it with the tree through ``loader.store.commit`` (one atomic generation).
"""

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml
from pyoxigraph import Literal, NamedNode, Store, Variable

from compliance.algoritmekader import applies, source_load
from compliance.decision_tree import DecisionTree, DecisionTreeError, Outcome, evaluate
from loader.errors import AlgokgError
from loader.mapping import terms as t
from loader.provenance import tool_agent
from loader.sourceload import SourceLoad
from loader.store import CommitResult, commit

TREE_BASE = f"{t.ID}aiact-decision-tree/"
ROLE = f"{t.ID}aiact-role/"
RISK = f"{t.ID}aiact-risk-level/"
ROLES = {
    "aanbieder": "provider",
    "gebruiksverantwoordelijke": "deployer",
    "importeur": "importer",
    "distributeur": "distributor",
}


class ClassificationError(AlgokgError):
    """The answers file is unreadable or incomplete, or the algorithm is unknown."""


@dataclass(frozen=True)
class AnswerSheet:
    answered_by: str
    answered_at: datetime
    answers: dict[str, "str | int"]
    organisation: str | None = None
    source: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class Classification:
    algorithm_id: str
    sheet: AnswerSheet
    tree: DecisionTree
    outcome: Outcome
    requirements: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def iri(self) -> NamedNode:
        key = "\n".join([self.algorithm_id, self.tree.sha256, self.sheet.sha256, self.sheet.answered_at.isoformat()])
        return NamedNode(f"{t.algorithm_iri(self.algorithm_id).value}/classification/{_digest(key)[:16]}")

    @property
    def risk_level(self) -> str | None:
        return risk_level(self.outcome)

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(ROLES[label] for label in self.outcome.labels if label in ROLES)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def read_answers(path: Path) -> AnswerSheet:
    """Read an answers file (``.json``, else YAML); ``answered_at`` without a zone is taken as UTC.

    :raises ClassificationError: unreadable, no ``answered_by``, no ``answers`` mapping, a bad date.
    """
    try:
        data = path.read_bytes()
        document = json.loads(data) if path.suffix.lower() == ".json" else yaml.safe_load(data)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ClassificationError(f"cannot read the answers: {error}", path=path) from error
    if not isinstance(document, dict):
        raise ClassificationError("the answers file must be a mapping with answered_by and answers", path=path)
    answered_by = str(document.get("answered_by") or "").strip()
    if not answered_by:
        raise ClassificationError("say who answered (answered_by)", path=path, field="answered_by")
    answers = document.get("answers")
    if not isinstance(answers, dict) or not answers:
        raise ClassificationError("answers must map question ids to answers", path=path, field="answers")
    when = document.get("answered_at")
    try:
        moment = when if isinstance(when, datetime) else datetime.fromisoformat(str(when)) if when else None
    except ValueError:
        raise ClassificationError(f"not an ISO 8601 date-time: {when!r}", path=path, field="answered_at") from None
    moment = moment or datetime.now(UTC).replace(microsecond=0)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    organisation = document.get("organisation")
    if organisation is not None and not t.is_iri(str(organisation)):
        raise ClassificationError(
            f"organisation must be an IRI (TOOI): {organisation!r}", path=path, field="organisation"
        )
    return AnswerSheet(
        answered_by=answered_by,
        answered_at=moment,
        answers={str(key): value for key, value in answers.items()},
        organisation=str(organisation) if organisation else None,
        source=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def risk_level(outcome: Outcome) -> str | None:
    """The model's risk-level concept (``aiact-risk-level`` notation) the outcome amounts to, if any.

    The beslishulp says "hoog-risico AI" for both routes to high risk; which question gave the label
    tells them apart: the Annex I question (2.3) or the Annex III ones (2.5 profiling, 2.6 no exception).
    """
    labels = set(outcome.labels)
    if "verboden AI" in labels:
        return "prohibited"
    if "AI-model voor algemene doeleinden" in labels:
        return "gpai-systemic" if "systeemrisico" in labels else "gpai"
    if "hoog-risico AI" in labels:
        return "high-risk-annex-i" if "hoog-risico AI" in outcome.labels_from("2.3") else "high-risk-annex-iii"
    if "geen hoog-risico AI" in labels:
        if "geen hoog-risico AI" in outcome.labels_from("2.6"):
            return "not-high-risk-art-6-3"
        return "transparency" if "transparantieverplichting" in labels else "minimal"
    return None


def classify(
    tree: DecisionTree,
    algorithm_id: str,
    sheet: AnswerSheet,
    requirements: Iterable[tuple[str, frozenset[str], tuple[str, ...]]] = (),
) -> Classification:
    """Run the tree on the sheet; select the requirements (URN, AI Act tags, exclusions) the labels match.

    Where the AI Act does not apply (no AI system or model, or no AI Act role) only requirements that
    hold whatever the AI Act says are selected: those the Algoritmekader tags as applying even under the
    AI Act's exemption (``risicogroep-uitzondering-van-toepassing``); a tree that finds no algorithm
    selects none.
    """
    if not re.fullmatch(r"[0-9]{8}", algorithm_id):
        raise ClassificationError(f"an algorithm id is the register's 8 digits, not {algorithm_id!r}")
    try:
        outcome = evaluate(tree, sheet.answers)
    except DecisionTreeError as error:
        raise ClassificationError(error.message, path=sheet.source or None, field=error.field) from error
    tags = outcome.ak_tags
    notes = [f"answer to question {q} not used on this path" for q in outcome.unused]
    if "geen algoritme" in outcome.labels:
        selected: list[str] = []
    elif not outcome.group("soort-toepassing") or not outcome.group("rol-ai-act"):
        selected = [urn for urn, own, _ in requirements if "risicogroep-uitzondering-van-toepassing" in own]
        notes.append("the AI Act does not apply: only requirements that hold outside it are selected")
    else:
        selected = [urn for urn, own, exclusions in requirements if applies(own, exclusions, tags)]
    return Classification(algorithm_id, sheet, tree, outcome, tuple(selected), tuple(notes))


def requirement_tags(store: Store) -> list[tuple[str, frozenset[str], tuple[str, ...]]]:
    """The Algoritmekader requirements in the store with their AI Act tags and exclusions."""
    query = """
        PREFIX akg: <https://w3id.org/algokg/def#>
        SELECT ?r (GROUP_CONCAT(DISTINCT ?tag; SEPARATOR="\\u001f") AS ?tags)
               (GROUP_CONCAT(DISTINCT ?ex; SEPARATOR="\\u001f") AS ?exclusions)
        WHERE { ?r a akg:Requirement . OPTIONAL { ?r akg:aiActTag ?tag } OPTIONAL { ?r akg:aiActExclusion ?ex } }
        GROUP BY ?r ORDER BY ?r
    """
    found = []
    for row in store.query(query, use_default_graph_as_union=True):
        tags = frozenset(filter(None, row["tags"].value.split("\u001f"))) if row["tags"] else frozenset()
        exclusions = tuple(filter(None, row["exclusions"].value.split("\u001f"))) if row["exclusions"] else ()
        found.append((row["r"].value, tags, exclusions))
    return found


def tree_iri(tree: DecisionTree) -> NamedNode:
    version = re.sub(r"[^0-9A-Za-z.-]", "-", tree.version or "unversioned")
    return NamedNode(f"{TREE_BASE}{version}-{tree.sha256[:12]}")


def question_iri(tree: DecisionTree, question: str) -> NamedNode:
    return NamedNode(f"{tree_iri(tree).value}/question/{question}")


def option_iri(tree: DecisionTree, question: str, index: int) -> NamedNode:
    return NamedNode(f"{question_iri(tree, question).value}/answer/{index + 1}")


def conclusion_iri(tree: DecisionTree, conclusion: str) -> NamedNode:
    return NamedNode(f"{tree_iri(tree).value}/conclusion/{conclusion}")


def _nl(text: str) -> Literal:
    return Literal(text, language="nl")


def tree_triples(tree: DecisionTree) -> list[tuple]:
    """The tree as data: questions, answer options with labels, redirects with conditions, conclusions."""
    node = tree_iri(tree)
    triples: list[tuple] = [
        (node, t.RDF_TYPE, t.akg("DecisionTree")),
        (node, t.dct("title"), _nl(tree.name)),
        (node, t.RDFS_LABEL, _nl(f"{tree.name} {tree.version}")),
        (node, NamedNode("http://www.w3.org/2002/07/owl#versionInfo"), Literal(tree.version)),
        (node, t.dct("identifier"), Literal(f"sha256:{tree.sha256}")),
        (node, t.akg("firstQuestion"), question_iri(tree, tree.first)),
    ]
    for question in tree.questions.values():
        q = question_iri(tree, question.id)
        triples += [
            (node, t.akg("hasQuestion"), q),
            (q, t.RDF_TYPE, t.akg("Question")),
            (q, t.dct("identifier"), Literal(question.id)),
            (q, t.RDFS_LABEL, _nl(question.text)),
            (q, t.dct("subject"), _nl(question.subcategory)),
        ]
        if question.explanation:
            triples.append((q, t.dct("description"), _nl(question.explanation)))
        triples += [(q, t.RDFS_SEE_ALSO, NamedNode(s.url)) for s in question.sources if s.url and t.is_iri(s.url)]
        for index, option in enumerate(question.options):
            o = option_iri(tree, question.id, index)
            triples += [
                (q, t.akg("hasOption"), o),
                (o, t.RDF_TYPE, t.akg("AnswerOption")),
                (o, t.RDFS_LABEL, _nl(option.text)),
                (o, t.akg("position"), t.typed(index + 1, "integer")),
            ]
            triples += [(o, t.akg("addsLabel"), Literal(label)) for label in option.labels]
            if option.subresult:
                triples.append((o, t.akg("subresult"), _nl(str(option.subresult))))
            triples += _targets(tree, o, option.next_question, option.next_conclusion)
            for number, redirect in enumerate(option.redirects, 1):
                r = NamedNode(f"{o.value}/redirect/{number}")
                triples += [
                    (o, t.akg("hasRedirect"), r),
                    (r, t.RDF_TYPE, t.akg("Redirect")),
                    (r, t.akg("position"), t.typed(number, "integer")),
                    (r, t.akg("condition"), Literal(redirect.condition.text)),
                ]
                triples += _targets(tree, r, redirect.next_question, redirect.next_conclusion)
    for conclusion in tree.conclusions.values():
        c = conclusion_iri(tree, conclusion.id)
        triples += [
            (node, t.akg("hasConclusion"), c),
            (c, t.RDF_TYPE, t.akg("Conclusion")),
            (c, t.dct("identifier"), Literal(conclusion.id)),
            (c, t.RDFS_LABEL, _nl(conclusion.text)),
            (c, t.akg("obligationText"), _nl(conclusion.obligation)),
        ]
        triples += [(c, t.RDFS_SEE_ALSO, NamedNode(s.url)) for s in conclusion.sources if s.url and t.is_iri(s.url)]
    return triples


def _targets(tree: DecisionTree, node: NamedNode, question: str | None, conclusion: str | None) -> list[tuple]:
    found = []
    if question:
        found.append((node, t.akg("nextQuestion"), question_iri(tree, question)))
    if conclusion:
        found.append((node, t.akg("nextConclusion"), conclusion_iri(tree, conclusion)))
    return found


def classification_triples(item: Classification) -> list[tuple]:
    """The classification with its answers, labels, concepts, selected requirements and PROV-O."""
    node, tree, sheet = item.iri, item.tree, item.sheet
    run = NamedNode(f"{node.value}/run")
    answerer = NamedNode(f"{node.value}/answerer")
    at = t.typed(sheet.answered_at.isoformat(), "dateTime")
    triples: list[tuple] = [
        (t.algorithm_iri(item.algorithm_id), t.akg("hasClassification"), node),
        (node, t.RDF_TYPE, t.akg("Classification")),
        (
            node,
            t.RDFS_LABEL,
            _nl(f"Classificatie AI-verordening van {item.algorithm_id}: {item.outcome.conclusion.id}"),
        ),
        (node, t.akg("conclusion"), conclusion_iri(tree, item.outcome.conclusion.id)),
        (node, t.prov("wasDerivedFrom"), tree_iri(tree)),
        (node, t.prov("wasAttributedTo"), answerer),
        (node, t.prov("generatedAtTime"), at),
        (node, t.prov("wasGeneratedBy"), run),
        (run, t.RDF_TYPE, t.prov("Activity")),
        (run, t.prov("used"), tree_iri(tree)),
        (run, t.prov("endedAtTime"), at),
        (run, t.prov("wasAssociatedWith"), answerer),
        (run, t.prov("wasAssociatedWith"), tool_agent()),
        (answerer, t.RDF_TYPE, t.prov("Agent")),
        (answerer, t.RDFS_LABEL, Literal(sheet.answered_by)),
    ]
    if sheet.organisation:
        triples.append((answerer, t.prov("actedOnBehalfOf"), NamedNode(sheet.organisation)))
    for position, step in enumerate(item.outcome.steps, 1):
        answer = NamedNode(f"{node.value}/answer/{position}")
        triples += [
            (node, t.akg("givenAnswer"), answer),
            (answer, t.RDF_TYPE, t.akg("Answer")),
            (answer, t.akg("position"), t.typed(position, "integer")),
            (answer, t.akg("answersQuestion"), question_iri(tree, step.question)),
            (answer, t.akg("chosenOption"), option_iri(tree, step.question, step.option)),
        ]
    triples += [(node, t.akg("decisionLabel"), Literal(label)) for label in item.outcome.labels]
    triples += [(node, t.akg("aiActTag"), Literal(tag)) for tag in sorted(item.outcome.ak_tags)]
    if level := item.risk_level:
        triples.append((node, t.akg("riskLevel"), NamedNode(f"{RISK}{level}")))
    triples += [(node, t.akg("classifiedRole"), NamedNode(f"{ROLE}{role}")) for role in item.roles]
    triples += [(node, t.akg("appliesRequirement"), NamedNode(urn)) for urn in item.requirements]
    return triples


def tree_source(tree: DecisionTree) -> SourceLoad:
    """The tree as a loaded source, named by the sha256 of its file: loading it again changes nothing."""
    return source_load(
        f"{tree.name} {tree.version} ({Path(tree.source).name})", tree.sha256, tree_triples(tree), datetime.now(UTC)
    )


def classification_source(item: Classification) -> SourceLoad:
    key = _digest(item.iri.value)
    return source_load(
        f"classification of {item.algorithm_id} ({Path(item.sheet.source).name})",
        key,
        classification_triples(item),
        item.sheet.answered_at,
    )


def algorithm_known(store: Store, algorithm_id: str) -> bool:
    """Whether the store knows the algorithm (its node, or a record with its id)."""
    query = """ASK { { ?a a <https://w3id.org/algokg/def#Algorithm> }
                     UNION { ?x <https://w3id.org/algokg/def#algorithmId> ?id } }"""
    bindings = {Variable("a"): t.algorithm_iri(algorithm_id), Variable("id"): Literal(algorithm_id)}
    return bool(store.query(query, substitutions=bindings, use_default_graph_as_union=True))


def commit_classification(store_dir: Path, item: Classification) -> CommitResult:
    """Write the tree (if new) and the classification as one new store generation."""
    return commit(store_dir, [tree_source(item.tree), classification_source(item)])


def outcome_summary(item: Classification) -> Mapping[str, object]:
    """What `algokg classify` prints: the conclusion, the labels by group and the requirements selected."""
    outcome = item.outcome
    return {
        "algorithm": item.algorithm_id,
        "classification": item.iri.value,
        "conclusion": outcome.conclusion.id,
        "conclusion_text": outcome.conclusion.text,
        "role": list(outcome.group("rol-ai-act")),
        "system_type": list(outcome.group("soort-toepassing")),
        "risk_group": list(outcome.group("risicogroep")),
        "transparency": list(outcome.group("transparantieverplichting")),
        "systemic_risk": list(outcome.group("systeemrisico")),
        "open_source": list(outcome.group("open-source")),
        "risk_level": item.risk_level,
        "labels": list(outcome.labels),
        "requirements": list(item.requirements),
        "tree": {"name": item.tree.name, "version": item.tree.version, "sha256": item.tree.sha256},
        "notes": list(item.notes),
    }


def classify_and_store(store_dir: Path, algorithm_id: str, answers: Path, tree_path: Path) -> Classification:
    """`algokg classify`: check the algorithm is in the store, run the tree, select requirements, commit.

    :raises ClassificationError: unknown algorithm, unreadable or incomplete answers.
    """
    from compliance.decision_tree import read_tree
    from loader.store import open_store

    tree = read_tree(tree_path)
    sheet = read_answers(answers)
    store = open_store(store_dir)
    if not algorithm_known(store, algorithm_id):
        raise ClassificationError(f"algorithm {algorithm_id} is not in the store; load its register record first")
    requirements = requirement_tags(store)
    del store  # read-only; commit writes a new generation
    item = classify(tree, algorithm_id, sheet, requirements)
    if not requirements:
        item = Classification(*_fields(item), notes=(*item.notes, "no Algoritmekader in the store: run `algokg kader`"))
    commit_classification(store_dir, item)
    return item


def _fields(item: Classification) -> tuple:
    return (item.algorithm_id, item.sheet, item.tree, item.outcome, item.requirements)
