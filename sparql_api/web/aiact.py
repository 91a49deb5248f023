"""The algorithm page's AI Act part: the position that counts and its basis, the classification with its answers,
and the obligations with their one date each — the same reasoning as ``algokg obligations`` (:mod:`compliance`),
run through the server's query workers. Rendered by ``templates/algorithm-aiact-position.html``."""

from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from compliance.obligations import AlgorithmFacts, Obligation, algorithm_facts, obligations_for
from compliance.sparql import compliance_query
from compliance.views import notes, position_lines
from compliance.wording import conclusion_meaning, label_meaning, role_words, scheme_condition
from sparql_api.queries import QueryService
from sparql_api.rest.models import QueryShown
from sparql_api.rest.reports import query_select
from sparql_api.web.labels import labels_of

__all__ = ["AIActSection", "Answer", "aiact_section"]


@dataclass
class Answer:
    """One answer of the classification: the question, the answer chosen, the labels it added explained."""

    question: str
    question_text: str
    answer: str
    labels: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Duty:
    """An obligation as the page shows it: its words, and its conditions in words."""

    obligation: Obligation
    role: str
    conditions: list[str]


@dataclass
class AIActSection:
    facts: AlgorithmFacts
    position: list[str]
    notes: list[str]
    conclusion: str | None = None
    meaning: str | None = None
    conclusion_text: str | None = None
    answers: list[Answer] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    holder_labels: dict[str, str] = field(default_factory=dict)  # role holders by name, not by IRI (issue 16)
    sparql: list[QueryShown] = field(default_factory=list)

    @property
    def classification(self) -> str | None:
        position = self.facts.position
        return position.classified.iri if position and position.classified else None


def _shown(name: str, bindings: dict[str, NamedNode]) -> QueryShown:
    return QueryShown(
        query=f"compliance/{name}.rq",
        text=compliance_query(name),
        bindings={key: str(term) for key, term in bindings.items()},
    )


def aiact_section(queries: QueryService, iri: str, lang: str) -> AIActSection:
    """The AI Act part of the page of algorithm ``iri`` in ``lang``."""
    select = query_select(queries)
    facts = algorithm_facts(select, iri)
    found = obligations_for(select, iri, language=lang, facts=facts)
    section = AIActSection(facts, [line.strip() for line in position_lines(facts, lang)], notes(facts, found, lang))
    bind = {"algorithm": NamedNode(iri)}
    section.sparql = [_shown("aiact-position", bind), _shown("aiact-position-roles", bind), _shown("obligations", bind)]
    section.duties = [
        Duty(item, role_words(item.role, lang), [scheme_condition(scheme, lang) for scheme in item.depends_on])
        for item in found
    ]
    section.holder_labels = labels_of(queries, (holder for item in found for holder in item.role_holders), lang)
    if section.classification:
        classification = {"classification": NamedNode(section.classification)}
        rows = select(compliance_query("classification-answers"), classification)
        section.sparql.append(_shown("classification-answers", classification))
        answers: dict[int, Answer] = {}
        for row in rows:
            if "conclusionId" in row:
                section.conclusion = row["conclusionId"].value
            if "conclusionText" in row:
                section.conclusion_text = row["conclusionText"].value
            if "number" not in row:
                continue
            question = row["question"].value
            answer = answers.setdefault(
                int(row["number"].value),
                Answer(question, _value(row, "questionText"), _value(row, "optionText")),
            )
            if "label" in row:
                answer.labels.append((row["label"].value, label_meaning(row["label"].value, question, lang)))
        section.answers = [answers[number] for number in sorted(answers)]
        labels = [label for answer in section.answers for label, _ in answer.labels]
        section.meaning = conclusion_meaning(section.conclusion or "", labels, lang)
    return section


def _value(row: dict, name: str) -> str:
    return row[name].value if name in row else ""
