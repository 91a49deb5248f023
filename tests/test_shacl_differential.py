"""Randomised differential test: the compiled validator and pyshacl agree on random data and random shapes.

Hypothesis draws small data graphs (a few classes with a subclass, IRIs, blank nodes, literals of several
datatypes and languages, RDF lists) and shapes over the compiled components (every target kind, every path
kind, counts, value types, ranges, strings, languages, property pairs, sh:closed, qualified value shapes,
nested sh:node/or/and/xone/not/property, severities). The property: the same conformance and the same set of
(focus node, path, constraint component, value, severity, source shape). pyshacl validates the data as the
store holds it (pyoxigraph normalises literals, oxigraph issue 526), so both judge the same triples.
Derandomised: the same examples every run.
"""

from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Store
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from loader.shacl_sparql import compile_shapes, pyshacl_results, store_from_graph, to_rdflib, validate_store

EX = Namespace("http://example.org/")
CLASSES = [EX.A, EX.B, EX.C]  # ex:B rdfs:subClassOf ex:A, always in the data
PREDICATES = [EX.p, EX.q, EX.r]
IRIS = [EX[f"n{i}"] for i in range(5)]
BLANKS = [BNode(f"b{i}") for i in range(3)]
LITERALS = [
    Literal("a"), Literal("ab"), Literal("Abc"), Literal("b"), Literal("x", lang="en"), Literal("y", lang="en"),
    Literal("z", lang="nl"), Literal("w", lang="en-gb"), Literal(1), Literal(2), Literal(3),
    Literal("1.5", datatype=XSD.decimal), Literal(True), Literal("2020-01-01", datatype=XSD.date),
    Literal("nope", datatype=XSD.integer),  # ill-formed
]  # fmt: skip
NODES = IRIS + BLANKS
CONSTANTS = IRIS + LITERALS[:-1] + CLASSES  # shape parameters: blank nodes there name nothing in the data
DATATYPES = [XSD.string, XSD.integer, XSD.decimal, XSD.boolean, XSD.date, RDF.langString]
NODE_KINDS = [SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral, SH.IRIOrLiteral]
SEVERITIES = [SH.Violation, SH.Warning, SH.Info]

# -- data ------------------------------------------------------------------------------------------

triples = st.one_of(
    st.tuples(st.sampled_from(NODES), st.just(RDF.type), st.sampled_from(CLASSES)),
    st.tuples(st.sampled_from(NODES), st.sampled_from(PREDICATES), st.sampled_from(NODES + LITERALS)),
)


@st.composite
def data_graphs(draw: st.DrawFn) -> Graph:
    graph = Graph()
    graph.add((EX.B, RDFS.subClassOf, EX.A))
    for triple in draw(st.lists(triples, min_size=1, max_size=14)):
        graph.add(triple)
    if draw(st.booleans()):  # an RDF list as a value: paths through rdf:first/rdf:rest
        head = BNode("list")
        Collection(graph, head, draw(st.lists(st.sampled_from(IRIS + LITERALS[:4]), min_size=1, max_size=3)))
        graph.add((draw(st.sampled_from(IRIS)), draw(st.sampled_from(PREDICATES)), head))
    return graph


# -- shapes: drawn as a small tree, then written as triples -----------------------------------------

steps = st.sampled_from(PREDICATES)
simple_paths = st.one_of(steps, st.tuples(st.just("inverse"), steps))
paths = st.one_of(
    steps,
    steps,
    st.tuples(st.just("inverse"), steps),
    st.tuples(st.sampled_from(["sequence", "alternative"]), st.lists(simple_paths, min_size=2, max_size=2)),
    st.tuples(st.sampled_from(["zeroOrMore", "oneOrMore", "zeroOrOne"]), simple_paths),
)

value_constraints = st.one_of(
    st.tuples(st.just(SH.datatype), st.sampled_from(DATATYPES)),
    st.tuples(st.just(SH["class"]), st.sampled_from(CLASSES)),
    st.tuples(st.just(SH.nodeKind), st.sampled_from(NODE_KINDS)),
    st.tuples(st.just(SH["in"]), st.lists(st.sampled_from(CONSTANTS), min_size=1, max_size=3)),
    st.tuples(st.just(SH.hasValue), st.sampled_from(CONSTANTS)),
    st.tuples(st.just(SH.pattern), st.sampled_from(["^a", "b$", "A", "^[a-z]+$", "n[0-2]"])),
    st.tuples(st.just(SH.minLength), st.integers(1, 3)),  # 0 goes to pyshacl (see loader.shacl_sparql)
    st.tuples(st.just(SH.maxLength), st.integers(0, 3)),
    st.tuples(
        st.sampled_from([SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive]),
        # Numbers only: pyshacl lets a value of another type (a date against a number) pass, SPARQL's < does not.
        st.sampled_from([Literal(2), Literal("1.5", datatype=XSD.decimal)]),
    ),
    st.tuples(st.just(SH.languageIn), st.sampled_from([["en"], ["en", "nl"], ["EN"], ["en-GB"]])),
    st.tuples(st.sampled_from([SH.equals, SH.disjoint]), st.sampled_from(PREDICATES)),
)
property_only = st.one_of(
    st.tuples(st.sampled_from([SH.minCount, SH.maxCount]), st.integers(0, 3)),
    st.tuples(st.just(SH.uniqueLang), st.just(True)),
    # No sh:lessThan/lessThanOrEquals: pyshacl orders IRIs and refuses blank nodes, where SHACL (SPARQL's <)
    # reports them; the compiled checks follow SHACL (W3C core/property/lessThan-*) and differ from pyshacl there.
)


def shapes_tree(depth: int, with_path: bool) -> st.SearchStrategy[dict]:
    """A shape as a dict: path (or None), severity, flags, constraints (nested shapes as dicts)."""
    constraints = [value_constraints] + ([property_only] if with_path else [])
    if depth > 0:
        nested_any = st.booleans().flatmap(lambda p: shapes_tree(depth - 1, p))
        nested_node = shapes_tree(depth - 1, False)
        constraints += [
            st.tuples(st.sampled_from([SH.node, SH["not"]]), nested_node),
            st.tuples(st.just(SH.property), shapes_tree(depth - 1, True)),
            st.tuples(st.sampled_from([SH["and"], SH["or"], SH.xone]), st.lists(nested_any, min_size=1, max_size=3)),
        ]
        if with_path:  # qualified value shape: (shape, min, max, disjoint)
            qualified = st.tuples(nested_node, st.integers(0, 2) | st.none(), st.integers(0, 2)).map(
                lambda q: (q[0], q[1], q[2] if q[1] is None or q[2] % 2 else None)  # at least one count
            )
            constraints.append(st.tuples(st.just("qualified"), st.tuples(qualified, st.booleans())))
    return st.fixed_dictionaries(
        {
            "path": paths if with_path else st.none(),
            "severity": st.sampled_from([None, *SEVERITIES]),
            "closed": st.sampled_from([None, None, None, (), (RDF.type,)]) if not with_path else st.none(),
            # a parameter at most once per shape, as SHACL says of most (and pyshacl insists)
            "constraints": st.lists(st.one_of(*constraints), min_size=1, max_size=3, unique_by=lambda c: c[0]),
        }
    )


targets = st.one_of(
    st.tuples(st.just(SH.targetClass), st.sampled_from(CLASSES)),
    st.tuples(st.just(SH.targetNode), st.sampled_from(IRIS[:3] + LITERALS[:2])),
    st.tuples(st.sampled_from([SH.targetSubjectsOf, SH.targetObjectsOf]), st.sampled_from(PREDICATES)),
    st.tuples(st.just("implicit"), st.sampled_from(CLASSES)),
)


class _Writer:
    def __init__(self) -> None:
        self.graph = Graph()
        self.ids = count()

    def path(self, path: object) -> Node:
        if isinstance(path, URIRef):
            return path
        kind, inner = path  # type: ignore[misc]
        node = BNode(f"path{next(self.ids)}")
        if kind == "sequence":
            Collection(self.graph, node, [self.path(step) for step in inner])
        elif kind == "alternative":
            members = BNode(f"alt{next(self.ids)}")
            Collection(self.graph, members, [self.path(step) for step in inner])
            self.graph.add((node, SH.alternativePath, members))
        else:
            self.graph.add((node, SH[f"{kind}Path"], self.path(inner)))
        return node

    def shape(self, tree: dict, name: Node | None = None) -> Node:
        shape = name or BNode(f"shape{next(self.ids)}")
        g = self.graph
        if tree["path"] is not None:
            g.add((shape, SH.path, self.path(tree["path"])))
        if tree["severity"] is not None:
            g.add((shape, SH.severity, tree["severity"]))
        if tree["closed"] is not None:
            g.add((shape, SH.closed, Literal(True)))
            if tree["closed"]:
                g.add((shape, SH.ignoredProperties, self.listed(list(tree["closed"]))))
        for parameter, argument in tree["constraints"]:
            if parameter == "qualified":
                (counted, least, most), disjoint = argument
                g.add((shape, SH.qualifiedValueShape, self.shape(counted)))
                for predicate, n in ((SH.qualifiedMinCount, least), (SH.qualifiedMaxCount, most)):
                    if n is not None:
                        g.add((shape, predicate, Literal(n)))
                if disjoint:
                    g.add((shape, SH.qualifiedValueShapesDisjoint, Literal(True)))
            elif parameter in (SH.node, SH["not"], SH.property):
                g.add((shape, parameter, self.shape(argument)))
            elif parameter in (SH["and"], SH["or"], SH.xone):
                g.add((shape, parameter, self.listed([self.shape(member) for member in argument])))
            elif parameter in (SH["in"], SH.languageIn):
                g.add((shape, parameter, self.listed([m if isinstance(m, Node) else Literal(m) for m in argument])))
            elif parameter == SH.pattern:
                g.add((shape, parameter, Literal(argument)))
                if next(self.ids) % 3 == 0:
                    g.add((shape, SH.flags, Literal("i")))
            else:
                g.add((shape, parameter, argument if isinstance(argument, Node) else Literal(argument)))
        return shape

    def listed(self, items: list[Node]) -> Node:
        head = BNode(f"list{next(self.ids)}")
        Collection(self.graph, head, items)
        return head


@st.composite
def shapes_graphs(draw: st.DrawFn) -> Graph:
    writer = _Writer()
    for i in range(draw(st.integers(1, 2))):
        kind, argument = draw(targets)
        if kind == "implicit" and i:  # one implicit class shape at most: two would merge into one node
            kind, argument = SH.targetClass, argument
        with_path = kind != "implicit" and draw(st.booleans())
        if kind == "implicit":  # the shape is the class: its instances are the focus nodes
            name = argument
            writer.graph.add((name, RDF.type, RDFS.Class))
        else:
            name = EX[f"Shape{i}"]
            writer.graph.add((name, kind, argument))
        writer.graph.add((name, RDF.type, SH.PropertyShape if with_path else SH.NodeShape))
        writer.shape(draw(shapes_tree(2, with_path)), name)
    return writer.graph


def _as_stored(store: Store) -> Graph:
    """The store's triples as rdflib terms: what pyshacl must see to judge the same data."""
    graph = Graph()
    for quad in store:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))  # type: ignore[arg-type]
    return graph


@settings(
    max_examples=1500,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=data_graphs(), shapes=shapes_graphs())
def test_compiled_equals_pyshacl(data: Graph, shapes: Graph) -> None:
    store = store_from_graph(data)
    stored = _as_stored(store)
    _, routed = compile_shapes(shapes)
    assert not routed, routed  # every drawn feature compiles: the examples test the compiler, not the fallback
    report = validate_store(store, shapes)
    expected = pyshacl_results(stored, shapes)
    got, want = {r.key() for r in report.results}, {r.key() for r in expected}
    shown = shapes.serialize(format="turtle")
    assert got == want, f"only compiled: {sorted(got - want)}\nonly pyshacl: {sorted(want - got)}\n{shown}"
    violation = str(SH.Violation)
    assert report.conforms == (not any(r.severity == violation for r in expected))
