"""The AI Act decision tree as data: its questions, answer options with their labels, redirects with their
conditions, and conclusions, as triples (``akg:DecisionTree``), named by the tree's version and sha256; and the tree
as a loaded source, so loading the same file again changes nothing."""

import re
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from compliance.algoritmekader import source_load
from compliance.decision_tree import DecisionTree
from loader.mapping import terms as t
from loader.sourceload import SourceLoad

__all__ = ["conclusion_iri", "option_iri", "question_iri", "tree_iri", "tree_source", "tree_triples"]

TREE_BASE = f"{t.ID}aiact-decision-tree/"


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


def tree_source(tree: DecisionTree) -> SourceLoad:
    """The tree as a loaded source, named by the sha256 of its file: loading it again changes nothing."""
    return source_load(
        f"{tree.name} {tree.version} ({Path(tree.source).name})", tree.sha256, tree_triples(tree), datetime.now(UTC)
    )
