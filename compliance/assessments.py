"""Assessments as structured data: filled-in files -> RDF, checked by SHACL, stored through the loader's commit.

:func:`read_assessment` reads one file (:mod:`compliance.assessment_files`) and resolves it against its
template (:mod:`compliance.questionnaires`) and the model: answers to the template's questions, findings to
the rights (DPV ``eu-rights:``), CODIO values or children's-rights principles they affect, severities to DPV
risk levels. :func:`assessment_triples` maps it to the model (``akg:Assessment``, ``akg:Answer``,
``akg:Finding``, ``akg:Mitigation``, ``akg:BiasTest``); :func:`import_assessments` validates every file with
the ``assessments`` SHACL profile and writes the templates and the assessments as one store generation, each
file a named graph described with PROV-O (name, sha256, size, time, tool). Loading the same bytes again
changes nothing.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import get_close_matches
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, Variable, parse, serialize
from rdflib import Graph

from compliance.assessment_files import AssessmentDocument, AssessmentFileError, Finding, Problem, read_document
from compliance.questionnaires import (
    Questionnaire,
    fetch_iama,
    fria_questionnaire,
    kinderrechten_questionnaire,
    questionnaire_triples,
    read_iama,
)
from loader.errors import AlgokgError
from loader.mapping import terms as t
from loader.provenance import provenance_quads
from loader.sourceload import SourceLoad, source_graph, validation_graph
from loader.store import CommitResult, commit, open_store
from loader.validation import ValidationReport, results_as_quads, validate
from ontology import scheme_files

__all__ = [
    "Assessment",
    "AssessmentRejected",
    "ImportResult",
    "Templates",
    "assessment_triples",
    "fria_coverage",
    "import_assessments",
    "read_assessment",
    "summary",
    "templates_for",
]

PROFILE = "assessments"
INSTRUMENT = f"{t.ID}assessment-instrument/"
RISK = "https://w3id.org/dpv/risk#"
SEVERITY = {
    "very-low": f"{RISK}VeryLowSeverity",
    "low": f"{RISK}LowSeverity",
    "moderate": f"{RISK}ModerateSeverity",
    "high": f"{RISK}HighSeverity",
    "very-high": f"{RISK}VeryHighSeverity",
}
PREFIXES = {
    "codio": f"{t.ID}codio/",
    "kr": f"{t.ID}kinderrechten-principle/",
    "eu-rights": "https://w3id.org/dpv/rights/eu#",
}
_EU_RIGHT = re.compile(r"^https://w3id\.org/dpv/rights/eu#A[0-9]+(-[A-Za-z]+)+$")
RDF_VALUE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#value")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
SKOS_CONCEPT = NamedNode("http://www.w3.org/2004/02/skos/core#Concept")


class AssessmentRejected(AlgokgError):
    """SHACL found violations in an assessment, or its algorithm is not in the store; nothing was written."""

    def __init__(self, message: str, *, path: Path | str | None = None, report: ValidationReport | None = None):
        super().__init__(message, path=path)
        self.report = report


@dataclass(frozen=True)
class Templates:
    """The questionnaires assessments are read against; ``iama`` is None when no IAMA template was given."""

    iama: Questionnaire | None
    fria: Questionnaire = field(default_factory=fria_questionnaire)
    kinderrechten: Questionnaire = field(default_factory=kinderrechten_questionnaire)

    def for_kind(self, kind: str) -> Questionnaire | None:
        return {"iama": self.iama, "fria": self.fria, "kinderrechtentoets": self.kinderrechten}.get(kind)

    def all(self) -> list[Questionnaire]:
        return [q for q in (self.iama, self.fria, self.kinderrechten) if q is not None]


@dataclass(frozen=True)
class ResolvedAnswer:
    question: str  # IRI
    key: str  # what the file called it
    text: str
    remarks: str | None = None
    question_text: str | None = None  # for questions the assessment itself defines (no template)
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    """One assessment file, checked and resolved: ready to map."""

    path: Path
    sha256: str
    size: int
    document: AssessmentDocument
    questionnaire: Questionnaire | None
    answers: tuple[ResolvedAnswer, ...]
    affects: tuple[tuple[str, ...], ...]  # per finding, the IRIs it affects
    finding_answers: tuple[tuple[int, ...], ...]  # per finding, the positions (1-based) of its answers

    @property
    def iri(self) -> NamedNode:
        return NamedNode(_assessment_iri(self.document.algorithm, self.sha256))

    @property
    def graph(self) -> NamedNode:
        return source_graph(self.sha256)


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_assessments` did: the commit, the assessments and their SHACL reports."""

    commit: CommitResult
    assessments: list[Assessment]
    reports: list[ValidationReport]


def read_assessment(path: Path, templates: Templates) -> Assessment:
    """Read one file and resolve it against its template and the model.

    :raises AssessmentFileError: the file does not match the model, names a question its template lacks, an
        unknown value or right, or a kind whose template was not given; every problem is located.
    """
    document = read_document(path)
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    problems: list[Problem] = []
    questionnaire = templates.for_kind(document.kind)
    if document.kind == "iama" and questionnaire is None:
        problems.append(Problem("kind", "an IAMA needs the IAMA template (algokg assess --iama-template, or online)"))
    answers = _answers(document, questionnaire, templates, _assessment_iri(document.algorithm, sha256), problems)
    affects = tuple(
        tuple(_affected(value, f"findings[{i}].affects[{j}]", problems) for j, value in enumerate(finding.affects))
        for i, finding in enumerate(document.findings)
    )
    finding_answers = tuple(
        _finding_answers(i, finding, answers, problems) for i, finding in enumerate(document.findings)
    )
    if problems:
        raise AssessmentFileError(path, problems)
    return Assessment(
        path=path,
        sha256=sha256,
        size=len(data),
        document=document,
        questionnaire=questionnaire,
        answers=tuple(answers),
        affects=affects,
        finding_answers=finding_answers,
    )


def _assessment_iri(algorithm_id: str, sha256: str) -> str:
    """``…/algorithm/{id}/assessment/{sha256 prefix of the file}``: the same bytes name the same assessment."""
    return f"{t.algorithm_iri(algorithm_id).value}/assessment/{sha256[:16]}"


def _answers(
    document: AssessmentDocument,
    questionnaire: Questionnaire | None,
    templates: Templates,
    base: str,
    problems: list[Problem],
) -> list[ResolvedAnswer]:
    if document.kind == "fria":
        found = []
        for key, element in sorted(document.elements.items()):
            refs = tuple(
                _template_question(templates.iama, ref, f"elements.{key}.iama_questions[{i}]", problems)
                for i, ref in enumerate(element.iama_questions)
            )
            found.append(ResolvedAnswer(f"{templates.fria.iri}/{key}", key, element.answer, references=refs))
        if document.answers:
            problems.append(Problem("answers", "a FRIA answers its six elements under `elements` (a to f)"))
        return found
    if document.kind == "kinderrechtentoets":
        if document.answers:
            problems.append(
                Problem("answers", "a children's-rights assessment answers per principle, under `principles`")
            )
        return [
            ResolvedAnswer(f"{templates.kinderrechten.iri}/{number}", str(number), principle.answer)
            for number, principle in sorted(document.principles.items())
        ]
    found, seen = [], set()
    for index, answer in enumerate(document.answers):
        where = f"answers[{index}].question"
        if questionnaire is not None:
            iri = _template_question(questionnaire, answer.question, where, problems)
            text = None
        else:  # no template (DPIA, bias test, CIO judgement): the file's own question
            iri = f"{base}/question/{index + 1}"
            text = answer.question
        if iri in seen:
            problems.append(Problem(where, f"question {answer.question!r} is answered twice"))
        seen.add(iri)
        found.append(ResolvedAnswer(iri, answer.question, answer.answer, answer.remarks, text))
    return found


def _template_question(questionnaire: Questionnaire | None, key: str, where: str, problems: list[Problem]) -> str:
    if questionnaire is None:
        problems.append(Problem(where, "refers to the IAMA, but no IAMA template was given"))
        return key
    question = questionnaire.question(key)
    if question is not None:
        return question.iri
    keys = [q.key for q in questionnaire.questions]
    nearest = get_close_matches(key.rsplit(":", 1)[-1], keys, n=1)
    hint = f"; nearest: {questionnaire.iri}:{nearest[0]}" if nearest and questionnaire.iri.startswith("urn:") else ""
    expected = f"one of the {len(keys)} questions of {questionnaire.iri}"
    problems.append(Problem(where, f"expected {expected}, found {key!r}{hint}"))
    return key


def _affected(value: str, where: str, problems: list[Problem]) -> str:
    prefix, _, local = value.partition(":")
    iri = PREFIXES[prefix] + local if prefix in PREFIXES else value
    if iri.startswith(PREFIXES["eu-rights"]):
        if not _EU_RIGHT.match(iri):
            problems.append(
                Problem(where, f"expected a DPV EU right such as eu-rights:A21-NonDiscrimination, found {value!r}")
            )
    elif iri.startswith((PREFIXES["codio"], PREFIXES["kr"])):
        if iri not in _value_concepts():
            known = sorted(c.rsplit("/", 1)[-1] for c in _value_concepts() if c.startswith(iri.rsplit("/", 1)[0]))
            nearest = get_close_matches(local, known, n=1)
            hint = f"; nearest: {prefix}:{nearest[0]}" if nearest else ""
            problems.append(Problem(where, f"not a value of the model's scheme, found {value!r}{hint}"))
    else:
        problems.append(
            Problem(
                where,
                f"expected codio:…, kr:… or eu-rights:… (a CODIO value, principle or Charter right), found {value!r}",
            )
        )
    return iri


@cache
def _value_concepts() -> frozenset[str]:
    """The CODIO values and children's-rights principles of the model (ontology/schemes/values.ttl)."""
    concepts = set()
    for path in scheme_files():
        with path.open("rb") as handle:
            for triple in parse(handle, format=RdfFormat.TURTLE):
                if triple.predicate == t.RDF_TYPE and triple.object == SKOS_CONCEPT:
                    concepts.add(triple.subject.value)
    return frozenset(c for c in concepts if c.startswith((PREFIXES["codio"], PREFIXES["kr"])))


def _finding_answers(
    index: int, finding: Finding, answers: list[ResolvedAnswer], problems: list[Problem]
) -> tuple[int, ...]:
    positions = []
    for j, key in enumerate(finding.questions):
        match = next(
            (n for n, a in enumerate(answers, 1) if key in (a.key, a.question) or a.question.endswith(f":{key}")), None
        )
        if match is None:
            problems.append(Problem(f"findings[{index}].questions[{j}]", f"no answer in this file to question {key!r}"))
        else:
            positions.append(match)
    return tuple(positions)


def fria_coverage(assessment: Assessment, fria: Questionnaire | None = None) -> dict[str, tuple[list[str], list[str]]]:
    """For an IAMA: per FRIA element, the crosswalked IAMA questions answered and those still open."""
    fria = fria or fria_questionnaire()
    answered = {answer.question for answer in assessment.answers}
    coverage = {}
    for element in fria.questions:
        targets = [target for target, _ in element.crosswalk]
        coverage[element.key] = ([q for q in targets if q in answered], [q for q in targets if q not in answered])
    return coverage


def assessment_triples(item: Assessment) -> list[tuple]:
    """The assessment as data, linked from its algorithm and to the file's named graph."""
    doc, node = item.document, item.iri
    triples: list[tuple] = [
        (t.algorithm_iri(doc.algorithm), t.akg("hasAssessment"), node),
        (node, t.RDF_TYPE, t.akg("Assessment")),
        (node, t.akg("instrument"), NamedNode(f"{INSTRUMENT}{doc.kind}")),
        (node, t.akg("wasPerformed"), _bool(doc.performed)),
        (node, t.akg("isPublished"), _bool(doc.published)),
        (node, t.akg("assessmentDate"), t.typed(doc.date.isoformat(), "date")),
        (node, t.prov("wasDerivedFrom"), item.graph),
    ]
    if doc.example:
        triples.append((node, RDFS_COMMENT, Literal("EXAMPLE DATA: fictitious, not a real assessment.", language="en")))
    if doc.title:
        triples.append((node, t.dct("title"), Literal(doc.title)))
    if doc.not_performed_reason:
        triples.append((node, t.akg("notPerformedReason"), Literal(doc.not_performed_reason)))
    if t.is_iri(doc.performed_by):
        triples.append((node, t.akg("performedBy"), NamedNode(doc.performed_by)))
    else:
        agent = NamedNode(f"{node.value}/performer")
        triples += [
            (node, t.akg("performedBy"), agent),
            (agent, t.RDF_TYPE, t.prov("Agent")),
            (agent, t.RDFS_LABEL, Literal(doc.performed_by)),
        ]
    if doc.link:
        triples.append((node, t.akg("link"), t.typed(doc.link, "anyURI")))
    if doc.outcome or doc.judgement:
        triples.append((node, t.akg("outcome"), Literal(doc.judgement or doc.outcome or "")))
    if item.questionnaire is not None:
        triples.append((node, t.akg("usesTemplate"), NamedNode(item.questionnaire.iri)))
    triples += _bias_test(item)
    answer_nodes = []
    for position, answer in enumerate(item.answers, 1):
        a = NamedNode(f"{node.value}/answer/{position}")
        answer_nodes.append(a)
        triples += [
            (node, t.akg("hasAnswer"), a),
            (a, t.RDF_TYPE, t.akg("Answer")),
            (a, t.akg("position"), t.typed(position, "integer")),
            (a, t.akg("answersQuestion"), NamedNode(answer.question)),
            (a, RDF_VALUE, Literal(answer.text)),
        ]
        if answer.remarks:
            triples.append((a, RDFS_COMMENT, Literal(answer.remarks)))
        if answer.question_text:
            q = NamedNode(answer.question)
            triples += [(q, t.RDF_TYPE, t.akg("Question")), (q, t.RDFS_LABEL, Literal(answer.question_text))]
        triples += [(a, t.dct("references"), NamedNode(ref)) for ref in answer.references if ":" in ref]
    for index, finding in enumerate(doc.findings):
        f = NamedNode(f"{node.value}/finding/{index + 1}")
        triples += [
            (node, t.akg("hasFinding"), f),
            (f, t.RDF_TYPE, t.akg("Finding")),
            (f, t.dct("description"), Literal(finding.description)),
            (f, t.akg("severity"), NamedNode(SEVERITY[finding.severity])),
        ]
        triples += [(f, t.akg("affects"), NamedNode(iri)) for iri in item.affects[index]]
        triples += [(f, t.prov("wasDerivedFrom"), answer_nodes[p - 1]) for p in item.finding_answers[index]]
        for number, mitigation in enumerate(finding.mitigations, 1):
            m = NamedNode(f"{f.value}/mitigation/{number}")
            triples += [
                (f, t.akg("hasMitigation"), m),
                (node, t.akg("hasMitigation"), m),
                (m, t.RDF_TYPE, t.akg("Mitigation")),
                (m, t.dct("description"), Literal(mitigation.description)),
                (m, t.akg("mitigationStatus"), Literal(mitigation.status)),
            ]
    return triples


def _bias_test(item: Assessment) -> list[tuple]:
    doc, node = item.document, item.iri
    if doc.kind != "bias-test" or not doc.performed:  # a bias test not done has nothing to measure
        return []
    triples: list[tuple] = [(node, t.RDF_TYPE, t.akg("BiasTest"))]
    for name, value in (("testMethod", doc.method), ("fairnessMetric", doc.metric), ("testResult", doc.result)):
        if value:
            triples.append((node, t.akg(name), Literal(value)))
    if doc.tool:
        triples.append((node, t.akg("testTool"), Literal(doc.tool)))
    triples += [(node, t.akg("comparedGroup"), Literal(group)) for group in doc.groups]
    return triples


def _bool(value: bool) -> Literal:
    return t.typed(str(value).lower(), "boolean")


def template_source(questionnaire: Questionnaire) -> SourceLoad:
    """A template as a loaded source named by its sha256: storing it again changes nothing."""
    name = f"{questionnaire.title} ({Path(questionnaire.source).name})"
    return _source(name, questionnaire.sha256, questionnaire_triples(questionnaire), None, questionnaire.source_url)


def _source(
    name: str, sha256: str, triples: list[tuple], size: int | None, url: str | None = None, validation: list[Quad] = ()
) -> SourceLoad:
    started = datetime.now(UTC)
    graph = source_graph(sha256)
    provenance = provenance_quads(
        graph,
        name=name,
        sha256=sha256,
        size=size if size is not None else len(triples),
        records=1 if size is not None else None,
        started=started,
        ended=datetime.now(UTC),
        source_url=url,
    )
    quads = [Quad(s, p, o, graph) for s, p, o in triples]
    return SourceLoad(
        name=name, sha256=sha256, graph=graph, quads=quads, provenance=provenance, validation=list(validation)
    )


def check(item: Assessment, templates: Templates) -> ValidationReport:
    """SHACL (profile ``assessments``) on the assessment together with the templates it refers to."""
    triples = assessment_triples(item)
    for questionnaire in templates.all():
        triples += questionnaire_triples(questionnaire)
    text = serialize((Triple(s, p, o) for s, p, o in triples), format=RdfFormat.N_TRIPLES)
    return validate(Graph().parse(data=text, format="nt"), profiles=(PROFILE,))


def import_assessments(store_dir: Path, paths: Sequence[Path], templates: Templates) -> ImportResult:
    """Read, check (files, SHACL, known algorithms) and store the assessments as one new generation.

    :raises AssessmentFileError: a file does not match the model or its template (nothing written).
    :raises AssessmentRejected: SHACL violations, or an algorithm not in the store (nothing written).
    :raises StoreError: the store could not be opened or written.
    """
    items = [read_assessment(path, templates) for path in paths]
    store = open_store(store_dir)
    for item in items:
        ask = "ASK { ?algorithm a <https://w3id.org/algokg/def#Algorithm> }"
        bound = {Variable("algorithm"): t.algorithm_iri(item.document.algorithm)}
        if not store.query(ask, substitutions=bound, use_default_graph_as_union=True):
            raise AssessmentRejected(
                f"algorithm {item.document.algorithm} is not in the store; load its register record first",
                path=item.path,
            )
    del store
    reports, sources = [], [template_source(q) for q in templates.all()]
    for item in items:
        report = check(item, templates)
        reports.append(report)
        if not report.conforms:
            first = next(r for r in report.results if r.severity == "Violation")
            raise AssessmentRejected(f"SHACL: {first.message_en}", path=item.path, report=report)
        validation = results_as_quads(report, validation_graph(item.sha256))
        name = item.path.name
        sources.append(_source(name, item.sha256, assessment_triples(item), item.size, validation=validation))
    return ImportResult(commit(store_dir, sources), items, reports)


def templates_for(paths: Sequence[Path], iama_template: Path | None = None) -> Templates:
    """The templates the files need: the IAMA from ``iama_template``, else (only if a file refers to the IAMA) the
    pinned download (cached; offline the cached copy).

    :raises AssessmentFileError: a file is unreadable (read before anything is downloaded).
    :raises QuestionnaireError, ReconcileError: the IAMA template cannot be read or fetched.
    """
    if iama_template is not None:
        return Templates(read_iama(iama_template))
    documents = [read_document(path) for path in paths]
    needs_iama = any(doc.kind == "iama" or any(e.iama_questions for e in doc.elements.values()) for doc in documents)
    return Templates(read_iama(fetch_iama().path) if needs_iama else None)


def summary(result: ImportResult) -> list[dict[str, object]]:
    """What ``algokg assess`` reports per file: the assessment, and for an IAMA the FRIA elements it covers."""
    stored = set(result.commit.loaded)
    rows = []
    for item, report in zip(result.assessments, result.reports, strict=True):
        row: dict[str, object] = {
            "file": str(item.path),
            "kind": item.document.kind,
            "algorithm": item.document.algorithm,
            "assessment": item.iri.value,
            "sha256": item.sha256,
            "stored": item.path.name in stored,
            "answers": len(item.answers),
            "findings": len(item.document.findings),
            "warnings": [r.message_en for r in report.results],
        }
        if item.document.kind == "iama":
            row["fria_coverage"] = {
                key: {"answered": answered, "open": open_} for key, (answered, open_) in fria_coverage(item).items()
            }
        rows.append(row)
    return rows
