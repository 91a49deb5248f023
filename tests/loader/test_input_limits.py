"""Hardened readers: `algokg load` turns every bad input into a located error with exit code 2, never a
traceback, and holds every format to the same limits (issue 12, points 6, 11 and 14).

Each case below is one of the red-team reproductions or something the fuzz suite (`tests/fuzz`) found.
"""

import json
import os
import resource
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pyoxigraph import RdfFormat

from loader.cli import cli
from loader.errors import AlgokgError, SourceError
from loader.rdf_guard import UnsafeRdf, check_rdf
from loader.sources import json_source
from loader.sources.limits import InputLimits, input_limits
from loader.store import build_store, current_path, open_store

RECORD = {"schema": "1.0", "name": "Voorbeeld", "organization": "Gemeente Noorderhaaks", "lars": "12345678"}
RDF_HEAD = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">'
    '<rdf:Description rdf:about="https://w3id.org/algokg/id/algorithm/00000042">'
)
RDF_TAIL = "</rdf:Description></rdf:RDF>"
MEMORY_CAP = 3 * 1024**3  # address space for a subprocess: far below what an entity bomb takes


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store_dir = tmp_path_factory.mktemp("limits") / "store"
    build_store(store_dir)
    return store_dir


@pytest.fixture(autouse=True)
def no_user_reference_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALGOKG_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("ALGOKG_ORGANISATIONS", raising=False)
    for variable in ("ALGOKG_MAX_FIELD_CHARS", "ALGOKG_MAX_NESTING", "ALGOKG_MAX_NUMBER_CHARS"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.delenv("ALGOKG_MAX_ENTITY_EXPANSION", raising=False)


def _state(store_dir: Path) -> tuple[str, int]:
    return current_path(store_dir).resolve().name, len(open_store(store_dir))


def _load(store_dir: Path, path: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["load", "--store", str(store_dir), "--no-validate", *args, str(path)])


def _refused(store_dir: Path, path: Path, *expected: str) -> str:
    """Load ``path``: exit code 2, no traceback, the store as it was; the error message."""
    before = _state(store_dir)
    result = _load(store_dir, path)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert _state(store_dir) == before
    message = result.stderr
    assert message.startswith(f"error: {path}"), message
    for text in expected:
        assert text in message, message
    return message


def _entity_bomb(levels: int, *, used: bool) -> bytes:
    """Nested internal entities, each ten references to the one before: 10**levels characters."""
    declarations = ['<!ENTITY e0 "dddddddddd">'] + [
        f'<!ENTITY e{level} "{f"&e{level - 1};" * 10}">' for level in range(1, levels + 1)
    ]
    body = f"&e{levels};" if used else "plain"
    document = (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
        + "\n".join(declarations)
        + "\n]>\n"
        + RDF_HEAD
        + f"<dct:title>{body}</dct:title>"
        + RDF_TAIL
    )
    return document.encode()


def _capped_load(store_dir: Path, path: Path) -> subprocess.CompletedProcess[bytes]:
    """`algokg load` in a subprocess whose address space is capped: a bomb cannot take the machine down."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    command = [sys.executable, "-m", "loader.cli", "load", "--store", str(store_dir), "--no-validate", str(path)]
    return subprocess.run(command, capture_output=True, preexec_fn=cap, timeout=300, env=os.environ.copy(), check=False)


# -- point 6: RDF/XML entity expansion -------------------------------------------------------------------------


@pytest.mark.parametrize("used", [True, False], ids=["nine-levels-used", "eight-levels-unused"])
def test_nested_entities_are_refused_before_parsing(store: Path, tmp_path: Path, used: bool) -> None:
    # A 1 KB file took 20 GB (nine levels used) or 2.1 GB (eight levels, unused): now exit 2 at once.
    path = tmp_path / "bomb.rdf"
    path.write_bytes(_entity_bomb(9 if used else 8, used=used))
    assert path.stat().st_size < 1500
    before = _state(store)
    done = _capped_load(store, path)
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr[-500:]
    assert f"error: {path}:4: " in stderr and "refers to other entities" in stderr and "Traceback" not in stderr
    assert _state(store) == before


def test_namespace_entities_as_owl_tools_write_them_still_load(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "ontology.owl"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n  <!ENTITY dct "http://purl.org/dc/terms/" >\n'
        '  <!ENTITY alg "https://w3id.org/algokg/id/algorithm/">\n]>\n'
        + RDF_HEAD.replace("https://w3id.org/algokg/id/algorithm/00000042", "&alg;00000042")
        + '<dct:title xml:lang="nl">Voorbeeld &amp; proef</dct:title><rdf:type rdf:resource="&dct;Agent"/>'
        + RDF_TAIL,
        encoding="utf-8",
    )
    result = _load(store, path)
    assert result.exit_code == 0, result.output
    query = 'ASK { GRAPH ?g { <https://w3id.org/algokg/id/algorithm/00000042> a <http://purl.org/dc/terms/Agent> ; <http://purl.org/dc/terms/title> "Voorbeeld & proef"@nl } }'
    assert open_store(store).query(query)


@pytest.mark.parametrize(
    ("declaration", "expected"),
    [
        ('<!ENTITY x SYSTEM "file:///etc/passwd">', "external or unquoted entity"),
        ('<!ENTITY x PUBLIC "-//x//EN" "http://127.0.0.1:1/x">', "external or unquoted entity"),
        ('<!ENTITY % x "y">', "parameter entity"),
        ('<!ENTITY x "&#38;amp;">', "refers to other entities"),
        ("<!ENTITY x 'single'>", "expected <!ENTITY name"),
        ('<!-- <!ENTITY x "&y;"> -->', "refers to other entities"),  # the parser reads declarations in comments
    ],
)
def test_entity_declarations_that_could_expand_or_fetch_are_refused(
    store: Path, tmp_path: Path, declaration: str, expected: str
) -> None:
    path = tmp_path / "entities.rdf"
    path.write_text(f"<!DOCTYPE rdf:RDF [\n{declaration}\n]>\n{RDF_HEAD}<dct:title>t</dct:title>{RDF_TAIL}")
    _refused(store, path, f"{path}:2: ", expected)


def test_a_doctype_inside_the_document_is_checked_too(store: Path, tmp_path: Path) -> None:
    # pyoxigraph reads a DOCTYPE wherever it appears, not only before the root element.
    path = tmp_path / "late.rdf"
    late = '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
    path.write_text(f"{RDF_HEAD}{late}<dct:title>&b;</dct:title>{RDF_TAIL}")
    _refused(store, path, "refers to other entities")


def test_entity_references_over_the_expansion_limit(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALGOKG_MAX_ENTITY_EXPANSION", "1000")
    path = tmp_path / "many.rdf"
    path.write_text(
        f'<!DOCTYPE rdf:RDF [<!ENTITY x "{"x" * 100}">]>\n{RDF_HEAD}<dct:title>{"&x;" * 30}</dct:title>{RDF_TAIL}'
    )
    _refused(store, path, "entity references would add 3,000 characters, over the limit of 1,000")
    path.write_text(
        f'<!DOCTYPE rdf:RDF [<!ENTITY x "{"x" * 100}">]>\n{RDF_HEAD}<dct:title>{"&x;" * 5}</dct:title>{RDF_TAIL}'
    )
    assert _load(store, path).exit_code == 0


def test_rdfxml_nesting_over_the_limit_is_refused(store: Path, tmp_path: Path) -> None:
    # Its cost grows with the square of the depth (30,000 levels: 6 s); the limit is 64 by default.
    depth = input_limits().nesting
    path = tmp_path / "deep.rdf"
    inner = "<dct:relation><rdf:Description>" * depth + "</rdf:Description></dct:relation>" * depth
    path.write_text(f"{RDF_HEAD}\n{inner}{RDF_TAIL}")
    _refused(store, path, f"{path}:2: ", "elements nested deeper than 64 (ALGOKG_MAX_NESTING)")


def test_deep_json_ld_is_refused_without_crashing(store: Path, tmp_path: Path) -> None:
    # pyoxigraph's JSON-LD parser overflows its stack at 10,000 nested objects: the process segfaulted.
    path = tmp_path / "deep.jsonld"
    depth = 10_000
    path.write_text('{"@id": "http://example.org/a", "http://example.org/p": ' + '{"http://example.org/p": ' * depth)
    path.write_text(path.read_text() + '"x"' + "}" * (depth + 1))
    done = _capped_load(store, path)
    assert done.returncode == 2, done.stderr[-500:]
    assert b"nested deeper than 64" in done.stderr and b"Traceback" not in done.stderr


def test_json_ld_remote_contexts_are_never_fetched(store: Path, tmp_path: Path) -> None:
    # Kept from before: pyoxigraph has no document loader here, so a remote @context is an error, not a request.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        path = tmp_path / "remote.jsonld"
        path.write_text(json.dumps({"@context": f"http://127.0.0.1:{port}/context.jsonld", "@id": "http://a/b"}))
        _refused(store, path, "not valid JSON-LD: No LoadDocumentCallback has been set to load remote contexts")
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody connected


def test_check_rdf_is_a_no_op_for_formats_without_macros() -> None:
    deep_turtle = b"<http://a> <http://p> " + b"[ <http://p> " * 100_000 + b"1" + b" ]" * 100_000 + b" ."
    check_rdf(deep_turtle, RdfFormat.TURTLE)
    with pytest.raises(UnsafeRdf) as caught:
        check_rdf(b'<!DOCTYPE r [\n<!ENTITY a "x">\n<!ENTITY b "&a;">]><r/>', RdfFormat.RDF_XML)
    assert (caught.value.lineno, caught.value.offset) == (3, 1)


# -- point 11: tracebacks become located errors with exit code 2 -------------------------------------------


def _json(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (json.dumps(RECORD | {"lars": "a b"}), ["field 'algorithm_id'", "expected an algorithm id", "'a b'"]),
        (json.dumps(RECORD | {"lars": "1<2"}), ["field 'algorithm_id'", "'1<2'"]),
        (json.dumps(RECORD).replace('"Voorbeeld"', '"\\ud800"'), ["field 'name'", "lone surrogate \\ud800"]),
        (json.dumps(RECORD | {"na\\udc00me": "x"}).replace("\\\\", "\\"), ["lone surrogate \\udc00"]),
        ('{"schema": "1.0", "name": ' + "[" * 50_000 + "]" * 50_000 + "}", [":1: ", "nested deeper than 64"]),
        (json.dumps(RECORD)[:-1] + ', "n": ' + "9" * 4301 + "}", ["a number of 4,301 characters"]),
        (json.dumps(RECORD)[:-1] + ', "n": NaN}', ["NaN, which is not JSON"]),
        (
            json.dumps({"algoritme_versions": [], "organisation_details": [{"name": "x", "colour": "red"}]}),
            ["field 'colour'", "/organisation_details/0"],
        ),
    ],
    ids=["id-with-space", "id-with-angle-bracket", "lone-surrogate", "surrogate-key", "deep", "huge-int", "nan",
         "organisation-extra-key"],
)  # fmt: skip
def test_json_inputs_that_raised_are_located_errors(
    store: Path, tmp_path: Path, text: str, expected: list[str]
) -> None:
    _refused(store, _json(tmp_path / "record.json", text), *expected)


def test_a_nul_in_a_header_and_a_broken_link_load(store: Path, tmp_path: Path) -> None:
    # Both raised ValueError from an IRI; they are data, not errors: kept as published, as unmapped values.
    export = tmp_path / "export.csv"
    export.write_text("name,organization,standard_version,ti\x00tle,website\nT,Gemeente X,1.0,x,http://[::1\n")
    result = _load(store, export)
    assert result.exit_code == 0, result.output
    store_now = open_store(store)
    names = {
        row["name"].value
        for row in store_now.query(
            "SELECT ?name WHERE { GRAPH ?g { ?u <https://w3id.org/algokg/def#fieldName> ?name } }"
        )
    }
    assert {"ti\x00tle", "website"} <= names


def test_a_file_name_or_source_url_that_is_not_utf8_is_a_located_error(store: Path, tmp_path: Path) -> None:
    # A POSIX file name may be any bytes; it goes into the graph, so it raised ValueError (a traceback).
    path = tmp_path / os.fsdecode(b"export-\xff.ttl")
    path.write_text('<http://example.org/a> <http://purl.org/dc/terms/title> "t" .\n')
    before = _state(store)
    result = _load(store, path)
    assert result.exit_code == 2 and _state(store) == before, result.output
    assert result.stderr.endswith("export-\\xff.ttl: the file name is not UTF-8 text: rename the file\n")
    good = tmp_path / "good.ttl"
    good.write_text('<http://example.org/a> <http://purl.org/dc/terms/title> "u" .\n')
    result = _load(store, good, "--source-url", os.fsdecode(b"http://x/\xff"))
    assert result.exit_code == 2 and "--source-url is not UTF-8 text" in result.stderr, result.output


def test_a_loader_failure_in_a_real_process_exits_2_without_a_traceback(store: Path, tmp_path: Path) -> None:
    path = _json(tmp_path / "record.json", json.dumps(RECORD | {"lars": "a b<c"}))
    done = subprocess.run(
        [sys.executable, "-m", "loader.cli", "load", "--store", str(store), str(path)],
        capture_output=True,
        timeout=300,
        env=os.environ.copy(),
        check=False,
    )
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    assert done.stderr.decode().startswith(f"error: {path}: field 'algorithm_id': record 1: expected an algorithm id")


def test_a_blank_node_value_in_a_shacl_result_is_stored(store: Path, tmp_path: Path) -> None:
    # Found by the fuzz: an algorithm id that is a blank node made storing the SHACL result raise ValueError.
    path = _json(
        tmp_path / "blank.jsonld",
        json.dumps({"@id": "https://w3id.org/algokg/id/algorithm/x", "@type": "https://w3id.org/algokg/def#Algorithm",
                    "https://w3id.org/algokg/def#algorithmId": {"title": None}}),
    )  # fmt: skip
    result = CliRunner().invoke(cli, ["load", "--store", str(store), "--strict", str(path)])
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output  # validated and its results stored as quads, then refused
    assert "field 'algorithm_id': violation" in result.output


@pytest.mark.parametrize("validator", ["sparql", "pyshacl"])
def test_a_literal_focus_node_in_a_shacl_result_is_explained_and_stored(
    store: Path, tmp_path: Path, validator: str
) -> None:
    # Found by the fuzz: a shape targeting the objects of akg:legalResource reports a literal as its focus
    # node; explaining it looked the literal up as a subject, and storing it made it an IRI (both raised).
    path = _json(
        tmp_path / "literal.jsonld",
        json.dumps({"@id": "https://w3id.org/algokg/id/x", "https://w3id.org/algokg/def#legalResource": "1.0"}),
    )
    result = CliRunner().invoke(cli, ["load", "--store", str(store), "--strict", "--validator", validator, str(path)])
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1 and "1.0, field None: violation: Statutory basis" in result.output, result.output


def test_an_ill_typed_literal_prints_no_traceback(store: Path, tmp_path: Path) -> None:
    # rdflib logs a warning with a traceback for each ill-typed literal it reads (pyshacl reads every one):
    # `algokg load` looked as if it had crashed.
    path = tmp_path / "ill-typed.nt"
    path.write_text(
        '<http://example.org/a> <http://example.org/p> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )
    command = [sys.executable, "-m", "loader.cli", "load", "--store", str(store), "--validator", "pyshacl", str(path)]
    # A real process: in-process, pytest's log capture would take the warning before it reached stderr.
    done = subprocess.run(command, capture_output=True, timeout=300, env=os.environ.copy(), check=False)
    assert done.returncode == 0, done.stderr[-500:]
    assert b"Traceback" not in done.stderr and b"Failed to convert" not in done.stderr


def test_rdf_numbers_are_held_to_the_number_limit(store: Path, tmp_path: Path) -> None:
    # rdflib (the validation's) cannot convert an integer over 4,300 digits: pyshacl called it ill-typed.
    path = tmp_path / "number.nt"
    number = "9" * 4_400
    path.write_text(
        f'<http://example.org/a> <http://example.org/p> "{number}"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )
    _refused(store, path, "field 'http://example.org/p': a number of 4,400 characters", "(ALGOKG_MAX_NUMBER_CHARS)")


# -- point 14a: one field-size limit for every format ------------------------------------------------------


@pytest.fixture
def small_field_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setenv("ALGOKG_MAX_FIELD_CHARS", "1000")
    yield 1000


def _csv(path: Path, title: str) -> Path:
    path.write_text(f'name,organization,standard_version\n"{title}",Gemeente X,1.0\n', encoding="utf-8")
    return path


FORMATS = {
    "csv": lambda path, value: _csv(path.with_suffix(".csv"), value),
    "standard-json": lambda path, value: _json(path.with_suffix(".json"), json.dumps(RECORD | {"name": value})),
    "site-data": lambda path, value: _json(
        path.with_suffix(".json"),
        json.dumps({"algoritme_versions": [RECORD | {"standard_version": "1.0", "goal": value}]}),
    ),
    "listing": lambda path, value: _json(
        path.with_suffix(".json"), json.dumps({"algoritmes": [{"id": "12345678", "title": value}], "count": 1})
    ),
    "testdata-v0.1": lambda path, value: _json(
        path.with_suffix(".json"), json.dumps({"records": [{"name": "x", "organization": "y", "goal": value}]})
    ),
    "json-key": lambda path, value: _json(path.with_suffix(".json"), json.dumps(RECORD | {value: "x"})),
    "turtle": lambda path, value: _json(
        path.with_suffix(".ttl"), f'<http://example.org/a> <http://purl.org/dc/terms/title> "{value}" .'
    ),
    "rdf-iri": lambda path, value: _json(
        path.with_suffix(".nt"), f"<http://e.org/{value[13:]}> <http://e.org/p> <http://e.org/o> ."
    ),
}


@pytest.mark.parametrize("kind", list(FORMATS))
def test_one_field_size_limit_for_every_format(store: Path, tmp_path: Path, small_field_limit: int, kind: str) -> None:
    at_limit = FORMATS[kind](tmp_path / "at-limit", "x" * small_field_limit)
    read = _load(store, at_limit, "--strict")  # read in full; refused by --strict at most (no commit needed)
    assert read.exit_code in (0, 1), read.output
    over = FORMATS[kind](tmp_path / "over", "y" * (small_field_limit + 1))
    message = _refused(store, over, "1,000", "ALGOKG_MAX_FIELD_CHARS")
    assert "1,001 characters" in message or "over 1,000 characters" in message


def test_the_default_field_limit_holds_for_json_as_for_csv(store: Path, tmp_path: Path) -> None:
    # A JSON record with a 60 MB title loaded while CSV fields were capped at 1 MiB.
    limit = InputLimits().field_chars
    assert input_limits().field_chars == limit == 1_048_576
    path = _json(tmp_path / "big.json", json.dumps(RECORD | {"name": "t" * (limit + 1)}))
    _refused(store, path, "at /name: a string of 1,048,577 characters, over the limit of 1,048,576")


def test_the_limits_read_their_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALGOKG_MAX_NESTING", "5")
    monkeypatch.setenv("ALGOKG_MAX_NUMBER_CHARS", "3")
    assert (input_limits().nesting, input_limits().number_chars) == (5, 3)
    with pytest.raises(SourceError, match="nested deeper than 5"):
        list(json_source.read(data=b'{"records": [[[[[[1]]]]]]}'))
    with pytest.raises(SourceError, match="a number of 4 characters"):
        list(json_source.read(data=b'{"records": [], "count": 1000}'))
    monkeypatch.setenv("ALGOKG_MAX_NESTING", "lots")
    with pytest.raises(AlgokgError, match="ALGOKG_MAX_NESTING should be a positive whole number"):
        input_limits()
