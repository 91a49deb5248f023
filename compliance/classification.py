"""A run of the AI Act decision tree stored as an ``akg:Classification`` of an algorithm, with PROV-O.

An organisation fills in an answers file (:mod:`compliance.answer_files`, read strictly: every answer as written,
located errors). :func:`classify` runs the tree on it; :func:`classification_triples` records who answered, for
which organisation, when, with which tree (IRI, version, sha256), every answer, the conclusion, the labels (as given
and as the model's concepts: the categories found and, where the AI Act applies, the roles the organisation holds,
as role assignments) and the Algoritmekader requirements the labels select. :func:`commit_classification` writes it
with the tree through ``loader.store.commit`` (one atomic generation). Under the position rule
(:mod:`compliance.position`) the newest classification then decides the algorithm's category and that
organisation's roles for the obligations, reports, Annex VIII export and pages.

Where the decision tree finds that the AI Act does not apply (conclusions 11.x) no operator role is stored: the
roles the answers named (question 1.2) are not AI Act roles then.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Store, Variable

from compliance.algoritmekader import applies, source_load
from compliance.answer_files import AnswerFileError, AnswerSheet, check_answers, read_answers
from compliance.decision_tree import DecisionTree, DecisionTreeError, Outcome, evaluate
from compliance.tree_graph import conclusion_iri, option_iri, question_iri, tree_iri, tree_source, tree_triples
from loader.errors import AlgokgError
from loader.mapping import terms as t
from loader.provenance import tool_agent
from loader.sourceload import SourceLoad
from loader.store import CommitResult, commit

__all__ = [
    "AnswerFileError",
    "AnswerSheet",
    "Classification",
    "ClassificationError",
    "classification_triples",
    "classify",
    "classify_and_store",
    "levels",
    "read_answers",
    "risk_level",
    "tree_iri",
    "tree_triples",
]

ROLE = f"{t.ID}aiact-role/"
RISK = f"{t.ID}aiact-risk-level/"
ROLES = {
    "aanbieder": "provider",
    "gebruiksverantwoordelijke": "deployer",
    "importeur": "importer",
    "distributeur": "distributor",
}


class ClassificationError(AlgokgError):
    """The answers do not lead through the tree, the algorithm is unknown, or no organisation holds the roles."""


# The conclusions after which the AI Act does not apply to the system at all (no algorithm, not an AI system or
# model, an exemption); after 11.3 it does not apply to the organisation that answered.
SYSTEM_OUT_OF_SCOPE = frozenset({"11.0", "11.1", "11.2"})


@dataclass(frozen=True)
class Classification:
    """A run of the tree for one algorithm; ``holder`` is the organisation the answers were given for."""

    algorithm_id: str
    sheet: AnswerSheet
    tree: DecisionTree
    outcome: Outcome
    requirements: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)  # codes: "unused:<question>", "out-of-scope", "no-kader"
    holder: str | None = None
    points: tuple[str, ...] = ()  # the Annex III points recorded for the algorithm (for the wording only)

    @property
    def iri(self) -> NamedNode:
        key = "\n".join([self.algorithm_id, self.tree.sha256, self.sheet.sha256, self.sheet.answered_at.isoformat()])
        return NamedNode(f"{t.algorithm_iri(self.algorithm_id).value}/classification/{_digest(key)[:16]}")

    @property
    def applies(self) -> bool:
        """Whether the AI Act applies: not one of the 11.x conclusions."""
        return not self.outcome.conclusion.id.startswith("11.")

    @property
    def out_of_scope(self) -> bool:
        """The AI Act does not apply to the system at all (no algorithm, no AI system or model, an exemption)."""
        return self.outcome.conclusion.id in SYSTEM_OUT_OF_SCOPE

    @property
    def risk_level(self) -> str | None:
        return risk_level(self.outcome)

    @property
    def levels(self) -> tuple[str, ...]:
        return levels(self.outcome)

    @property
    def roles(self) -> tuple[str, ...]:
        """The AI Act roles the organisation holds (none where the AI Act does not apply)."""
        if not self.applies:
            return ()
        return tuple(ROLES[label] for label in self.outcome.labels if label in ROLES)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def risk_level(outcome: Outcome) -> str | None:
    """The model's risk-level concept (``aiact-risk-level`` notation) the outcome amounts to, if any.

    The beslishulp says "hoog-risico AI" for both routes to high risk; which question gave the label
    tells them apart: the Annex I question (2.3) or the Annex III ones (2.5 profiling, 2.6 no exception).
    Where the AI Act does not apply (conclusions 11.x) there is no category.
    """
    labels = set(outcome.labels)
    if outcome.conclusion.id.startswith("11."):  # the AI Act does not apply: no category
        return None
    if "verboden AI" in labels:
        return "prohibited"
    if "AI-model voor algemene doeleinden" in labels:
        return "gpai-systemic" if "systeemrisico" in labels else "gpai"
    if "hoog-risico AI" in labels:
        return "high-risk-annex-i" if "hoog-risico AI" in outcome.labels_from("2.3") else "high-risk-annex-iii"
    if "geen hoog-risico AI" in labels:
        if "geen hoog-risico AI" in outcome.labels_from("2.6"):
            return "not-high-risk-art-6-3"
        if "transparantieverplichting" in labels:
            return "transparency"
        # Minimal only when the tree asked about transparency: an importer or distributor is never asked.
        return "minimal" if "geen transparantieverplichting" in labels else None
    return None


def levels(outcome: Outcome) -> tuple[str, ...]:
    """Every category the outcome amounts to: its risk level and, for a system with transparency obligations that
    is high-risk or claims Art 6(3), the transparency level too (conclusions x.y.1, and x.y.3 after 2.6)."""
    main = risk_level(outcome)
    if main is None:
        return ()
    if "transparantieverplichting" in outcome.labels and main != "transparency":
        return (main, "transparency")
    return (main,)


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
    check_answers(tree, sheet)
    try:
        outcome = evaluate(tree, sheet.answers)
    except DecisionTreeError as error:
        hint = " (every question on the path needs an answer; quote question ids)"
        raise ClassificationError(error.message + hint, path=sheet.source or None, field=error.field) from error
    tags = outcome.ak_tags
    notes = [f"unused:{question}" for question in outcome.unused]
    if "geen algoritme" in outcome.labels:
        selected: list[str] = []
    elif outcome.conclusion.id.startswith("11."):
        selected = [urn for urn, own, _ in requirements if "risicogroep-uitzondering-van-toepassing" in own]
        notes.append("out-of-scope")
    else:
        selected = [urn for urn, own, exclusions in requirements if applies(own, exclusions, tags)]
    return Classification(algorithm_id, sheet, tree, outcome, tuple(selected), tuple(notes), sheet.organisation)


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
            Literal(
                f"Classificatie AI-verordening van {item.algorithm_id}: {item.outcome.conclusion.id}", language="nl"
            ),
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
    if item.holder:
        triples.append((answerer, t.prov("actedOnBehalfOf"), NamedNode(item.holder)))
    triples.append((node, t.akg("aiActAppliesToSystem"), t.typed("false" if item.out_of_scope else "true", "boolean")))
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
    triples += [(node, t.akg("riskLevel"), NamedNode(f"{RISK}{level}")) for level in item.levels]
    triples += [(node, t.akg("classifiedRole"), NamedNode(f"{ROLE}{role}")) for role in item.roles]
    for role in item.roles if item.holder else ():
        assignment = NamedNode(f"{node.value}/role/{role}")
        triples += [
            (node, t.akg("classifiedRoleAssignment"), assignment),
            (assignment, t.RDF_TYPE, t.akg("AIActRoleAssignment")),
            (assignment, t.akg("aiActRole"), NamedNode(f"{ROLE}{role}")),
            (assignment, t.akg("roleHolder"), NamedNode(item.holder)),  # type: ignore[arg-type]
        ]
    triples += [(node, t.akg("appliesRequirement"), NamedNode(urn)) for urn in item.requirements]
    return triples


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


def algorithm_organisation(store: Store, algorithm_id: str) -> str | None:
    """The organisation that publishes the algorithm (``akg:organisation``, a TOOI IRI), if the graph knows it."""
    query = """SELECT ?a ?organisation WHERE { ?a <https://w3id.org/algokg/def#organisation> ?organisation .
               FILTER (isIRI(?organisation)) } ORDER BY ?organisation LIMIT 1"""
    rows = list(
        store.query(
            query, substitutions={Variable("a"): t.algorithm_iri(algorithm_id)}, use_default_graph_as_union=True
        )
    )
    return rows[0]["organisation"].value if rows else None  # type: ignore[index]


def recorded_points(store: Store, algorithm_id: str) -> tuple[str, ...]:
    """The Annex III points recorded for the algorithm (the decision tree does not ask which point)."""
    query = "SELECT ?a ?point WHERE { ?a <https://w3id.org/algokg/def#annexIIIPoint> ?point } ORDER BY ?point"
    bindings = {Variable("a"): t.algorithm_iri(algorithm_id)}
    return tuple(
        row["point"].value for row in store.query(query, substitutions=bindings, use_default_graph_as_union=True)
    )  # type: ignore[index, union-attr]


def classify_and_store(store_dir: Path, algorithm_id: str, answers: Path, tree_path: Path) -> Classification:
    """`algokg classify`: read the answers strictly, check the algorithm is in the store, run the tree, select
    requirements, name the organisation that holds the roles, commit.

    The roles are held by the organisation the answers name (``organisation``), else by the one that publishes the
    algorithm.

    :raises AnswerFileError: the answers file says something that could be misread (each problem located).
    :raises ClassificationError: unknown algorithm, answers that do not lead through the tree, or roles without an
        organisation to hold them.
    """
    from compliance.decision_tree import read_tree
    from loader.store import open_store

    tree = read_tree(tree_path)
    sheet = read_answers(answers)
    store = open_store(store_dir)
    if not algorithm_known(store, algorithm_id):
        raise ClassificationError(f"algorithm {algorithm_id} is not in the store; load its register record first")
    requirements = requirement_tags(store)
    holder = sheet.organisation or algorithm_organisation(store, algorithm_id)
    points = recorded_points(store, algorithm_id)
    del store  # read-only; commit writes a new generation
    item = replace(classify(tree, algorithm_id, sheet, requirements), holder=holder, points=points)
    if item.roles and not holder:
        raise ClassificationError(
            f"the answers give the roles {', '.join(item.roles)} but not on whose behalf, and algorithm "
            f"{algorithm_id} names no organisation IRI: add organisation: (a TOOI IRI) to the answers file",
            path=answers,
            field="organisation",
        )
    if not requirements:
        item = replace(item, notes=(*item.notes, "no-kader"))
    commit_classification(store_dir, item)
    return item
