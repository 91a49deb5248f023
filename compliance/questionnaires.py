"""Assessment templates as data: the IAMA (57 questions with their URNs), the FRIA's six elements (Art 27(1)(a)-(f))
crosswalked to IAMA questions, and the ten principles of the Code voor Kinderrechten Online.

The IAMA is read from MinBZK/task-registry ``instruments/iama.yaml``; users get it as a pinned download
(:data:`IAMA_PIN`, cached by ``loader.reconcile.cache.fetch``), tests read the copy in ``../shared``. The FRIA
questionnaire and its crosswalk are algokg's own (``compliance/data/fria-iama-crosswalk.yaml``).
"""

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from loader.errors import AlgokgError, SourceError
from loader.mapping import terms as t
from loader.reconcile.cache import Fetched, Pin, fetch
from loader.sources.yaml_text import load_yaml

__all__ = [
    "CROSSWALK_FILE",
    "FRIA",
    "IAMA_PIN",
    "KINDERRECHTEN",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "fetch_iama",
    "fria_questionnaire",
    "kinderrechten_questionnaire",
    "questionnaire_triples",
    "read_iama",
]

TASK_REGISTRY_COMMIT = "940ae02a2111"  # MinBZK/task-registry, as in ontology/schemes/algoritmekader.ttl
# raw.githubusercontent.com serves a file at a commit; the sha256 pins the bytes (checked against the copy of
# that commit in ../shared/reference/algoritmekader/task-registry).
IAMA_PIN = Pin(
    name=f"task-registry-{TASK_REGISTRY_COMMIT}-iama.yaml",
    url=f"https://raw.githubusercontent.com/MinBZK/task-registry/{TASK_REGISTRY_COMMIT}/instruments/iama.yaml",
    sha256="19ceb10ede02c8b7d04b5147afc30a8149b5a1f136aed1c94a3405e6381f254f",
)
CROSSWALK_FILE = Path(str(files("compliance"))) / "data" / "fria-iama-crosswalk.yaml"
QUESTIONNAIRE_BASE = f"{t.ID}questionnaire/"
FRIA = f"{QUESTIONNAIRE_BASE}fria-art-27-1"
KINDERRECHTEN = f"{QUESTIONNAIRE_BASE}kinderrechtentoets"
INSTRUMENT = f"{t.ID}assessment-instrument/"
ART_27_1 = f"{t.ID}law/eli/reg/2024/1689/art_27/par_1"
KR = f"{t.ID}kinderrechten-principle/"
SKOS_SCOPE_NOTE = NamedNode("http://www.w3.org/2004/02/skos/core#scopeNote")
OWL_VERSION_INFO = NamedNode("http://www.w3.org/2002/07/owl#versionInfo")


class QuestionnaireError(AlgokgError):
    """A questionnaire template cannot be read or lacks what algokg needs (URNs, questions)."""


@dataclass(frozen=True)
class Question:
    """One question: its IRI (the URN where it has one), text, topic and, for the FRIA, what it is crosswalked to."""

    iri: str
    key: str
    text: str
    topic: str | None = None
    text_en: str | None = None
    grounded_in: str | None = None
    subject: str | None = None
    crosswalk: tuple[tuple[str, str], ...] = ()
    gap: str | None = None


@dataclass(frozen=True)
class Questionnaire:
    """A template: ordered questions, the instrument it belongs to and whether every question must be answered."""

    iri: str
    title: str
    instrument: str
    questions: tuple[Question, ...]
    sha256: str
    source: str
    version: str | None = None
    requires_all_answers: bool = False
    source_url: str | None = None

    def question(self, key: str) -> Question | None:
        """The question with this IRI/URN or key (``1.4.1`` for ``urn:nl:aivt:tr:iama:1.0:1.4.1``)."""
        return self._index().get(key)

    @cache  # noqa: B019 - frozen and hashable; a handful of templates per process
    def _index(self) -> dict[str, Question]:
        index = {question.key: question for question in self.questions}
        index.update({question.iri: question for question in self.questions})
        return index


def fetch_iama(*, cache_dir: Path | None = None, refresh: bool = False) -> Fetched:
    """The pinned IAMA template, downloaded once into the cache (``ALGOKG_CACHE``)."""
    return fetch(IAMA_PIN, cache_dir=cache_dir, refresh=refresh)


def read_iama(path: Path) -> Questionnaire:
    """Read ``instruments/iama.yaml`` of the task registry.

    :raises QuestionnaireError: unreadable, no template URN, or a question without text or URN.
    """
    try:
        data = path.read_bytes()
        document = load_yaml(data.decode("utf-8-sig"), label=str(path))  # within the loader's input limits
    except (OSError, UnicodeDecodeError) as error:
        raise QuestionnaireError(f"cannot read the IAMA template: {error}", path=path) from error
    except SourceError as error:
        raise QuestionnaireError(
            f"cannot read the IAMA template: {error.message}", path=path, line=error.line
        ) from None
    urn = document.get("urn") if isinstance(document, dict) else None
    tasks = document.get("tasks") if isinstance(document, dict) else None
    if not isinstance(urn, str) or not isinstance(tasks, list) or not tasks:
        raise QuestionnaireError("expected a task-registry instrument with `urn` and a list of `tasks`", path=path)
    questions = []
    for index, task in enumerate(tasks):
        text, question_urn = (task.get("question"), task.get("urn")) if isinstance(task, dict) else (None, None)
        if not isinstance(text, str) or not isinstance(question_urn, str) or not question_urn.startswith(f"{urn}:"):
            raise QuestionnaireError(
                f"expected a question with text and a URN under {urn}", path=path, field=f"tasks[{index}]"
            )
        topics = [label.get("value") for label in task.get("labels") or [] if label.get("key") == "topic"]
        questions.append(Question(question_urn, question_urn.removeprefix(f"{urn}:"), text.strip(), topics[0] or None))
    return Questionnaire(
        iri=urn,
        title=str(document.get("name") or "IAMA"),
        instrument=f"{INSTRUMENT}iama",
        questions=tuple(questions),
        sha256=hashlib.sha256(data).hexdigest(),
        source=str(path),
        version=urn.rsplit(":", 1)[-1],
        source_url=document.get("url") if isinstance(document.get("url"), str) else None,
    )


@cache
def fria_questionnaire(crosswalk: Path = CROSSWALK_FILE) -> Questionnaire:
    """The FRIA as six questions (Art 27(1)(a)-(f)), each crosswalked to IAMA questions with reasons."""
    data = crosswalk.read_bytes()
    document = load_yaml(data.decode("utf-8"), label=str(crosswalk))  # the package's own file
    questions = []
    for key, element in document["elements"].items():
        links = tuple((link["question"], link["reason"]) for link in element.get("links") or [])
        questions.append(
            Question(
                iri=f"{FRIA}/{key}",
                key=key,
                text=element["text_nl"],
                text_en=element["text_en"],
                grounded_in=f"{ART_27_1}/pnt_{key}",
                crosswalk=links,
                gap=element.get("gap") or None,
            )
        )
    return Questionnaire(
        iri=FRIA,
        title="Beoordeling van de gevolgen voor de grondrechten (artikel 27, lid 1, AI-verordening)",
        instrument=f"{INSTRUMENT}fria",
        questions=tuple(questions),
        sha256=hashlib.sha256(data).hexdigest(),
        source=str(crosswalk),
        requires_all_answers=True,
    )


@cache
def kinderrechten_questionnaire() -> Questionnaire:
    """The children's-rights assessment as ten questions, one per principle of the Code voor Kinderrechten."""
    questions = tuple(
        Question(
            iri=f"{KINDERRECHTEN}/{number}",
            key=str(number),
            text=f"Hoe voldoet de toepassing aan beginsel {number} van de Code voor Kinderrechten?",
            text_en=f"How does the application meet principle {number} of the Code for Children's Rights?",
            subject=f"{KR}{number}",
        )
        for number in range(1, 11)
    )
    digest = hashlib.sha256("\n".join(q.iri for q in questions).encode()).hexdigest()
    return Questionnaire(
        iri=KINDERRECHTEN,
        title="Kinderrechtentoets: de tien beginselen van de Code voor Kinderrechten",
        instrument=f"{INSTRUMENT}kinderrechtentoets",
        questions=questions,
        sha256=digest,
        source="compliance.questionnaires",
        requires_all_answers=True,
    )


def questionnaire_triples(questionnaire: Questionnaire) -> list[tuple]:
    """The template as data: the questionnaire, its ordered questions, their grounds and crosswalk."""
    node = NamedNode(questionnaire.iri)
    triples: list[tuple] = [
        (node, t.RDF_TYPE, t.akg("Questionnaire")),
        (node, t.dct("title"), Literal(questionnaire.title, language="nl")),
        (node, t.akg("questionnaireOf"), NamedNode(questionnaire.instrument)),
        (node, t.akg("requiresAllAnswers"), t.typed(str(questionnaire.requires_all_answers).lower(), "boolean")),
    ]
    if questionnaire.version:
        triples.append((node, OWL_VERSION_INFO, Literal(questionnaire.version)))
    if questionnaire.source_url and t.is_iri(questionnaire.source_url):
        triples.append((node, t.RDFS_SEE_ALSO, NamedNode(questionnaire.source_url)))
    for position, question in enumerate(questionnaire.questions, 1):
        q = NamedNode(question.iri)
        triples += [
            (node, t.akg("hasQuestion"), q),
            (q, t.RDF_TYPE, t.akg("Question")),
            (q, t.dct("identifier"), Literal(question.key)),
            (q, t.akg("position"), t.typed(position, "integer")),
            (q, t.RDFS_LABEL, Literal(question.text, language="nl")),
        ]
        if question.text_en:
            triples.append((q, t.RDFS_LABEL, Literal(question.text_en, language="en")))
        if question.topic:
            triples.append((q, t.dct("subject"), Literal(question.topic, language="nl")))
        if question.subject:
            triples.append((q, t.dct("subject"), NamedNode(question.subject)))
        if question.grounded_in:
            triples.append((q, t.akg("groundedIn"), NamedNode(question.grounded_in)))
        for target, reason in question.crosswalk:
            triples += [
                (q, t.akg("crosswalkedTo"), NamedNode(target)),
                (q, SKOS_SCOPE_NOTE, Literal(f"{target}: {reason}", language="en")),
            ]
        if question.gap:
            triples.append((q, SKOS_SCOPE_NOTE, Literal(f"Not covered by the IAMA: {question.gap}", language="en")))
    return triples
