"""A whole-store validation reads every registration's location up front; a write's few records look each
value up. Both must give the same located report, item for item and field for field.

On a generated register whose records are damaged where the up-front reading takes a shortcut (a value
twice, ill-formed or oddly typed literals, no or two algorithms, an algorithm with two ids, a node four
records link to), validated from quads and in an on-disk store, with each path forced in turn.
"""

from collections.abc import Callable
from decimal import Decimal

import pytest
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, Quad, Store

from benchmarks.generate import generate
from loader import validation
from loader.pipeline import prepare
from loader.reference import reference_data
from loader.validation import MODEL_GRAPHS, ValidationReport, _model_quads, validate_quads, validate_store

AKG = "https://w3id.org/algokg/def#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OTHER_GRAPH = NamedNode("https://w3id.org/algokg/graph/source/0000000000000002")


def _akg(name: str) -> NamedNode:
    return NamedNode(AKG + name)


def _integer(text: str) -> OxLiteral:
    return OxLiteral(text, datatype=NamedNode(XSD + "integer"))


class _Damage:
    """The generated quads, changed record by record."""

    def __init__(self, quads: list[Quad]) -> None:
        self.quads = quads
        self.graph = quads[0].graph_name
        index = {q.subject: int(q.object.value) for q in quads if q.predicate == _akg("sourceIndex")}
        self.registrations = sorted(index, key=index.__getitem__)
        self.damaged: list[NamedNode] = []

    def record(self, n: int) -> NamedNode:
        registration = self.registrations[n]
        self.damaged.append(registration)
        # A theme as text, not a concept: a result on the record itself, so every damaged record is explained.
        self.add(registration, _akg("theme"), OxLiteral("Verkeer & vervoer"))
        return registration

    def one(self, subject: NamedNode, predicate: NamedNode) -> object:
        [found] = [q.object for q in self.quads if q.subject == subject and q.predicate == predicate]
        return found

    def add(self, subject: object, predicate: NamedNode, obj: object, graph: object = None) -> None:
        self.quads.append(Quad(subject, predicate, obj, graph or self.graph))  # type: ignore[arg-type]

    def drop(self, subject: object, predicate: NamedNode) -> None:
        self.quads[:] = [q for q in self.quads if not (q.subject == subject and q.predicate == predicate)]

    def replace(self, subject: NamedNode, predicate: NamedNode, obj: object) -> None:
        self.drop(subject, predicate)
        self.add(subject, predicate, obj)


def _damaged(quads: list[Quad]) -> tuple[list[Quad], list[NamedNode]]:
    d = _Damage(list(quads))
    d.add(d.record(0), _akg("sourceIndex"), _integer("999"))  # two indexes: the lookup takes the store's first
    d.replace(d.record(1), _akg("sourceLine"), _integer("x5"))  # ill-formed: rdflib keeps the literal
    d.replace(d.record(2), _akg("sourceLine"), _integer("0007"))
    d.replace(d.record(3), _akg("sourceFile"), NamedNode("https://example.org/export.csv"))
    d.replace(d.record(4), _akg("sourceFile"), OxLiteral("export.csv", language="nl"))
    d.drop(d.record(5), _akg("registers"))  # a registration by its type only
    d.add(d.record(6), _akg("registers"), d.one(d.registrations[7], _akg("registers")))  # two algorithms
    d.add(d.one(d.record(7), _akg("registers")), _akg("algorithmId"), OxLiteral("7-bis"))  # two ids
    algorithm = d.one(d.registrations[8], _akg("registers"))
    d.replace(d.record(8), _akg("registers"), OxLiteral(algorithm.value))  # type: ignore[attr-defined]  # a text
    d.drop(d.record(9), _akg("sourceIndex"))  # last among records a node links to
    d.add(d.record(10), _akg("sourceFile"), d.one(d.registrations[10], _akg("sourceFile")), OTHER_GRAPH)
    d.replace(d.one(d.record(11), _akg("registers")), _akg("algorithmId"), NamedNode("https://example.org/id/11"))
    d.replace(d.record(12), _akg("sourceIndex"), OxLiteral("12", datatype=NamedNode(XSD + "decimal")))
    d.replace(d.record(13), _akg("sourceIndex"), _integer("\u0661\u0663"))  # Arabic-Indic digits
    d.add(d.record(14), _akg("sourcePointer"), _integer("14"))
    d.replace(d.record(18), _akg("sourceLine"), _integer("\u00b2"))  # a digit to str.isdigit, not to int()
    d.replace(d.record(19), _akg("sourceIndex"), OxLiteral("negentien"))  # a text: sorted after the numbers
    d.replace(d.record(20), _akg("sourceFile"), _integer("20"))
    line = d.one(d.registrations[17], _akg("sourceLine"))
    d.drop(d.record(17), _akg("sourceLine"))
    d.add(d.registrations[17], _akg("sourceLine"), line, OTHER_GRAPH)  # no line where that graph is background
    # A statutory basis with a date that is none, linked from four records (the walk back meets them all).
    basis = next(q.object for q in d.quads if q.subject == d.record(15) and q.predicate == _akg("hasStatutoryBasis"))
    d.replace(basis, _akg("citedVersionDate"), OxLiteral("gisteren"))  # type: ignore[arg-type]
    d.add(d.record(16), _akg("hasStatutoryBasis"), basis)
    d.add(d.record(0), _akg("hasStatutoryBasis"), basis)  # ... and from the record with two indexes
    d.add(d.registrations[9], _akg("hasStatutoryBasis"), basis)  # ... and from the record without an index
    return d.quads, d.damaged


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Quad], list[NamedNode], Store]:
    csv = generate(60, tmp_path_factory.mktemp("prefetch") / "register.csv")
    source, _ = prepare(csv, reference=reference_data(), run_validation=False)
    quads, records = _damaged(source.quads)
    store = Store(str(tmp_path_factory.mktemp("prefetch") / "store"))
    store.extend(_model_quads())
    store.extend(quads)
    return quads, records, store


def _forced(monkeypatch: pytest.MonkeyPatch, check: Callable[[], ValidationReport]) -> dict[str, ValidationReport]:
    """The report with every registration read up front, and with every value looked up."""
    answers: list[object] = []
    prefetch = validation._StoreData.registrations
    location = validation._Registrations.location

    def registrations(self: validation._StoreData, count: int) -> validation._Registrations | None:
        answers.append(found := prefetch(self, count))
        return found

    def spied_location(self: validation._Registrations, registration: object) -> object:
        answers.append(found := location(self, registration))  # type: ignore[arg-type]
        return found

    reports = {}
    with monkeypatch.context() as patch:
        patch.setattr(validation._StoreData, "registrations", registrations)
        patch.setattr(validation._Registrations, "location", spied_location)
        patch.setattr(validation, "_PREFETCH_MIN", 0)
        patch.setattr(validation, "_PREFETCH_RATIO", 1 << 30)
        reports["prefetched"] = check()
        assert isinstance(answers[0], validation._Registrations), "the up-front path was not taken"
        assert validation._ASK in answers, "no answer was left to a lookup: the damage proves nothing"
        assert any(isinstance(answer, dict) for answer in answers), "no location was read up front"
        answers.clear()
        patch.setattr(validation, "_PREFETCH_MIN", 1 << 30)
        reports["looked up"] = check()
        assert not answers, "the per-lookup path read up front"
    return reports


def _assert_same(reports: dict[str, ValidationReport], records: list[NamedNode]) -> None:
    prefetched, looked_up = reports["prefetched"], reports["looked up"]
    assert prefetched.conforms == looked_up.conforms
    for ours, theirs in zip(prefetched.results, looked_up.results, strict=False):
        assert ours == theirs  # every field; the first difference is shown
    assert len(prefetched.results) == len(looked_up.results)
    explained = {item.record for item in prefetched.results}
    assert {r.value for r in records} <= explained, "every damaged record must have a result to explain"


def test_from_quads_both_paths_locate_alike(
    damaged: tuple[list[Quad], list[NamedNode], Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    quads, records, _ = damaged
    reports = _forced(monkeypatch, lambda: validate_quads(quads))
    _assert_same(reports, records)
    by_record = {item.record: item for item in reports["prefetched"].results}
    assert by_record[records[2].value].line == 7
    assert by_record[records[3].value].file is None
    assert isinstance(by_record[records[12].value].index, Decimal)
    indexes = [item.index for item in reports["prefetched"].results if item.record is not None]
    assert set(indexes[indexes.index("negentien") :]) == {"negentien"}  # a text sorts after the numbers


@pytest.mark.parametrize("background", [(MODEL_GRAPHS,), (MODEL_GRAPHS, OTHER_GRAPH.value)], ids=["model", "and-other"])
def test_in_a_store_both_paths_locate_alike(
    damaged: tuple[list[Quad], list[NamedNode], Store], monkeypatch: pytest.MonkeyPatch, background: tuple[str, ...]
) -> None:
    """In place, as `algokg validate` runs; a graph counted as background is no record data on either path."""
    _, records, store = damaged
    _assert_same(_forced(monkeypatch, lambda: validate_store(store, background=background)), records)


def test_a_few_focus_nodes_are_looked_up(
    damaged: tuple[list[Quad], list[NamedNode], Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write gate's path: a record's nodes are not worth reading the whole store for."""
    _, records, store = damaged
    read: list[int] = []
    monkeypatch.setattr(validation._StoreData, "registrations", lambda self, count: read.append(count))
    report = validate_store(store, focus_nodes=[records[2]])
    assert report.results and not read
    assert {item.line for item in report.results} == {7}


def test_a_store_with_far_more_records_than_results_is_not_read_up_front(
    damaged: tuple[list[Quad], list[NamedNode], Store],
) -> None:
    """Reading 60 registrations for 2 focus nodes would cost more than their lookups: given up while reading."""
    _, _, store = damaged
    view = validation._StoreData(store, (MODEL_GRAPHS,))
    assert view.registrations(60 // validation._PREFETCH_RATIO - 1) is None
    read = view.registrations(60 // validation._PREFETCH_RATIO + 1)
    assert read is not None and len(read.registers) == 60 - 1  # one damaged record registers nothing
