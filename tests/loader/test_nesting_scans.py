"""The one nesting check for JSON, JSON-LD and RDF/XML (`loader.sources.json_text`, `loader.rdf_guard`), used by
`algokg load` and by the request-body workers (`/store`, `POST /api/validate`): located at the first bracket or
element too many, and linear in the input whatever it holds (unterminated strings, comments and tags too)."""

import time

import pytest
from pyoxigraph import RdfFormat

from loader.rdf_guard import UnsafeRdf, check_rdf
from loader.sources.json_text import structure_problem
from loader.sources.limits import InputLimits

LIMITS = InputLimits(nesting=100)


def test_json_nested_too_deeply_is_located() -> None:
    assert structure_problem('{"a": [[["[[[[[[ in a string"]]], {"b": {}}]}', limits=InputLimits(nesting=4)) is None
    with pytest.raises(UnsafeRdf) as refused:
        check_rdf(b'{"a":\n  ' + b"[" * 50_000 + b"]" * 50_000 + b"}", RdfFormat.JSON_LD, limits=LIMITS)
    assert (refused.value.lineno, refused.value.offset) == (2, 3 + 99)  # the 101st bracket: "{" is the 1st
    assert "arrays and objects nested deeper than 100 (ALGOKG_MAX_NESTING)" in refused.value.msg


def test_xml_nested_too_deeply_is_located() -> None:
    head = b'<?xml version="1.0"?>\n<!-- <a><a><a> --><r a="1>2"><e/><![CDATA[<a><a>]]>'
    check_rdf(head + b"<a>" * 98 + b"</a>" * 98 + b"</r>", RdfFormat.RDF_XML, limits=LIMITS)
    with pytest.raises(UnsafeRdf) as refused:
        check_rdf(head + b"<a>" * 20_000 + b"</a>" * 20_000 + b"</r>", RdfFormat.RDF_XML, limits=LIMITS)
    assert refused.value.lineno == 2 and "elements nested deeper than 100 (ALGOKG_MAX_NESTING)" in refused.value.msg


@pytest.mark.parametrize(
    ("data", "rdf_format"),
    [
        (b"<r>" + b"<!--" * 100_000, RdfFormat.RDF_XML),  # each "<!--" searched to the end for its "-->": 4 min
        (b"<r>" + b"<?" * 100_000, RdfFormat.RDF_XML),
        (b"<r>" + b"<a b='" * 100_000, RdfFormat.RDF_XML),
        (b'["' + b'\\"' * 100_000, RdfFormat.JSON_LD),  # each quote read as a string to the end: 2 min
    ],
    ids=["unclosed-comments", "unclosed-instructions", "unclosed-attributes", "unclosed-string-of-escaped-quotes"],
)
def test_the_nesting_checks_take_linear_time_on_unterminated_constructs(data: bytes, rdf_format: RdfFormat) -> None:
    """Before, the scans searched each unterminated construct to the end of the data again: quadratic time."""
    started = time.perf_counter()
    check_rdf(data, rdf_format, limits=LIMITS)  # nothing nests: the parser will say what is wrong
    assert time.perf_counter() - started < 10  # ~0.02 s now; generous for a busy machine
