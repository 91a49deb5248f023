"""A small seeded mutator: the same (seed, input number) gives the same bytes on every machine.

Each mutant applies one to four operations to a seed: flip a bit, set a byte, delete, repeat or
truncate a slice, splice with another seed, or put a *nasty token* at a random place or right after
a delimiter (where a parser switches state). The tokens are what broke parsers elsewhere: NUL,
encoded and escaped surrogates, numbers over Python's 4,300-digit limit, deep nesting, invalid IRIs,
byte-order marks, CRLF and lone CR, quotes, DTD entities, and values over the field-size limit.
"""

import csv
import io
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Tokens for every format; each target adds its own (see TARGET_TOKENS).
NASTY: tuple[bytes, ...] = (
    b"\x00",
    b"\xed\xa0\x80",  # a surrogate encoded in UTF-8: not UTF-8
    b"\\ud800",
    b'"\\ud800"',
    b"\\udfff\\ud800",
    b"\xef\xbb\xbf",
    b"\r\n",
    b"\r",
    b'"',
    b"'",
    b'""',
    b",",
    b";",
    b"\\",
    b"<",
    b">",
    b"&",
    b"%",
    b"{",
    b"}",
    b"[",
    b"]",
    b" ",
    b"\t",
    b"\x1b[2J",
    b"\xe2\x80\xa8",
    b"\xff\xfe",
    b"\xc0\x80",
    b"9" * 5000,
    b"-" + b"1" * 4400,
    b"1e999999",
    b"NaN",
    b"-Infinity",
    b"http://[::1",
    b"http://a b<c>",
    b"a b<c",
    b"mailto:",
    b'=HYPERLINK("http://x")',
    b"0000-00-00",
    b"99-99-9999",
    b"2024-13-45",
    b"1.0",
    b"0.1",
    b"9.9",
    b"null",
    b"true",
    b"[]",
    b"{}",
    b"\xe2\x80\x8b",
)
TARGET_TOKENS: dict[str, tuple[bytes, ...]] = {
    "csv": (b'"\n"', b'",,,,,,,,"', b"\n\n\n", b'""""', b"standard_version", b"algorithm_id", b"lars"),
    "json": (
        b"[" * 60_000,
        b"{" * 3_000,
        b'{"a":' * 2_000,
        b'"schema": "1.0", ',
        b'"lars": "a b<c", ',
        b'"name": 12, ',
        b'"algoritme_versions": 1, ',
        b'"records": [1], ',
        b'"count": -1, ',
        b'"\\u0000"',
    ),
    "turtle": (
        b"[ <http://p> " * 3_000,
        b"( " * 3_000,
        b"<http://[::1>",
        b'"""',
        b"@prefix : <http://a/> .\n",
        b"@base <http://[::1> .\n",
        b'"x"^^<http://www.w3.org/2001/XMLSchema#integer>',
        b'"' + b"9" * 5000 + b'"^^<http://www.w3.org/2001/XMLSchema#integer>',
        b'"x"@en-',
        b"_:b ",
        b"<< <http://a> <http://b> <http://c> >>",
        b" . ",
        b" ; ",
    ),
    "rdfxml": (
        b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        b'<!DOCTYPE r [<!ENTITY % p "x">]>',
        b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        b"&x;&b;&a;",
        b"<rdf:Description>" * 2_000,
        b'<e:p rdf:parseType="Literal">',
        b'rdf:about="http://[::1"',
        b'xml:lang="-"',
        b"<![CDATA[",
        b"]]>",
        b"<!--",
        b"-->",
        b"<?xml version='1.1'?>",
        b"&#0;",
        b"&#xD800;",
    ),
    "jsonld": (
        b'{"http://p":' * 2_000,
        b"[" * 2_000,
        b'"@context": "http://127.0.0.1:1/context.jsonld", ',
        b'"@context": {"@vocab": "http://[::1"}, ',
        b'"@id": "http://a b", ',
        b'"@type": "@json", ',
        b'"@value": 1e999999, ',
        b'"@graph": {"@graph": {"@graph": {}}}, ',
        b'"@language": "-", ',
        b'"@reverse": {"http://p": {"@id": "_:b"}}, ',
    ),
}
TARGET_TOKENS["sparql-query"] = (
    b"{" * 1_000,
    b"(" * 1_000,
    b"{" * 6_000,
    b"(" * 6_000,
    b"SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o }",
    b"INSERT DATA { <http://a> <http://b> <http://c> }",
    b"LOAD <http://127.0.0.1:1/x>",
    b"CLEAR ALL",
    b'FILTER(REGEX(?x, "(a+)+$"))',
    b"?s ?p ?o . " * 50,
    b"OPTIONAL { ?a ?b ?c }",
    b"LIMIT 99999999999999999999999",
    b"<http://[::1>",
    b"BIND(1/0 AS ?z)",
    b"VALUES ?v { 1 2 3 }",
    b"GRAPH ?g { ?s ?p ?o }",
    b"#",
    b"\\u0000",
)
TARGET_TOKENS["sparql-update"] = TARGET_TOKENS["sparql-query"] + (
    b"DROP GRAPH <https://w3id.org/algokg/graph/provenance>",
    b"DROP ALL",
    b"WITH <https://w3id.org/algokg/graph/x> ",
    b"DELETE WHERE { ?s ?p ?o }",
    b'"' + b"x" * 2_000_000 + b'"',
)
# YAML's own: anchors and aliases (a billion laughs, a recursive alias), tags, merge keys, documents, deep flows.
_YAML_TOKENS = (
    b"&a [*a]",
    b"*a",
    b"&a ",
    b"<<: *a\n",
    b"l0: &l0 [x, x, x, x, x, x, x, x, x]\n"
    + b"".join(b"l%d: &l%d [%s]\n" % (n, n, b", ".join([b"*l%d" % (n - 1)] * 9)) for n in range(1, 9)),
    b"!!python/object/apply:os.system [x]",
    b"!!binary ZZZ",
    b"!!int x",
    b"!!timestamp x",
    b"!!set {a, b}",
    b"? [a, b]\n: c\n",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"- " * 3_000,
    b"  " * 1_000 + b"a: b\n",
    b"yes",
    b"~",
    b'"\\ud800"',
    b"0x1A",
    b"1:30:00",
    b"2024-13-45",
    b"2.10",
)
TARGET_TOKENS["assessment"] = TARGET_TOKENS["json"][:3] + _YAML_TOKENS + (b"kind: ", b"fria", b"findings: ")
TARGET_TOKENS["answers"] = TARGET_TOKENS["json"][:3] + _YAML_TOKENS + (b'"1.1": ', b"answers: ", b"answered_at: ")
DELIMITERS = b'",;:{}[]<>() \n\t=&'
# Values a well-formed JSON document or CSV cell may carry that a reader may still not expect.
NASTY_VALUES: tuple[object, ...] = (
    "\ud800",
    "a\udc00b",
    "\x00",
    "ti\x00tle",
    "a b<c",
    "http://[::1",
    "https://exa mple.org/",
    "",
    " ",
    "\ufeff1.0",
    "1.0 ",
    "v1_0",
    "0.1",
    "2.0",
    "9" * 90,
    10**90,
    -(10**90),
    1e308,
    0.1,
    True,
    None,
    [],
    {},
    [[[[[["x"]]]]]],
    {"title": None, "link": 3},
    [{"title": "t", "link": "http://[::1"}],
    ["\ud800"],
    "1: Wet, https://wetten.overheid.nl/BWBR0005537#Artikel4:81. 2: , .",
    "99-99-9999",
    "2024-02-30",
    "=cmd|' /C calc'!A0",
    "\u202e\u2066",
    "x" * 5000,
)


@dataclass(frozen=True)
class Mutant:
    data: bytes
    how: str  # the operations applied, to reproduce and explain a failure


class Mutator:
    """Mutants of ``seeds`` for one target; ``mutant(n)`` depends only on (seed, target, n)."""

    def __init__(self, target: str, seeds: Sequence[bytes], *, seed: int, huge: int = 0) -> None:
        """:param huge: also, now and then, a value one character over this many (the field-size limit); 0: never"""
        self.target, self.seeds, self.seed = target, list(seeds), seed
        self.tokens = NASTY + TARGET_TOKENS.get(target, ())
        self.huge = huge

    def mutant(self, number: int) -> Mutant:
        rng = random.Random(f"{self.seed}:{self.target}:{number}")
        origin = rng.randrange(len(self.seeds))
        data = bytearray(self.seeds[origin])
        steps = [f"seed {origin}"]
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            operation = rng.choice(self._operations)
            steps.append(operation(self, rng, data))
        return Mutant(bytes(data), "; ".join(steps))

    # Each operation changes ``data`` in place and says what it did.
    def _flip(self, rng: random.Random, data: bytearray) -> str:
        if not data:
            return "flip (empty)"
        at = rng.randrange(len(data))
        data[at] ^= 1 << rng.randrange(8)
        return f"flip bit at {at}"

    def _set_byte(self, rng: random.Random, data: bytearray) -> str:
        if not data:
            return "set (empty)"
        at, value = rng.randrange(len(data)), rng.choice((0, 0x7F, 0x80, 0xFF, 0x22, 0x5C, 0x0A, 0x0D, 0x2C, 0x3C))
        data[at] = value
        return f"set byte {at} to {value:#x}"

    def _delete(self, rng: random.Random, data: bytearray) -> str:
        start, end = self._slice(rng, data)
        del data[start:end]
        return f"delete {start}:{end}"

    def _repeat(self, rng: random.Random, data: bytearray) -> str:
        start, end = self._slice(rng, data, longest=64)
        times = rng.choice((2, 10, 1000))
        data[start:end] = data[start:end] * times
        return f"repeat {start}:{end} x{times}"

    def _truncate(self, rng: random.Random, data: bytearray) -> str:
        at = rng.randrange(len(data) + 1)
        del data[at:]
        return f"truncate at {at}"

    def _splice(self, rng: random.Random, data: bytearray) -> str:
        other = rng.randrange(len(self.seeds))
        donor = self.seeds[other]
        at, start = rng.randrange(len(data) + 1), rng.randrange(len(donor) + 1)
        data[at:] = donor[start:]
        return f"splice seed {other} from {start} at {at}"

    def _insert_token(self, rng: random.Random, data: bytearray) -> str:
        token = self._token(rng)
        at = self._place(rng, data)
        replace = rng.random() < 0.3
        end = min(len(data), at + (len(token) if replace else 0))
        data[at:end] = token
        return f"{'replace' if replace else 'insert'} {_show(token)} at {at}"

    def _structured(self, rng: random.Random, data: bytearray) -> str:
        """Keep the syntax, change a value: a JSON value or a CSV cell becomes a nasty value."""
        value = rng.choice(NASTY_VALUES)
        try:
            if self.target == "csv":
                rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
                at_row, at_column = rng.randrange(len(rows)), rng.randrange(len(rows[0]))
                rows[at_row][at_column : at_column + 1] = [value if isinstance(value, str) else json.dumps(value)]
                out = io.StringIO(newline="")
                csv.writer(out, quoting=rng.choice((csv.QUOTE_ALL, csv.QUOTE_MINIMAL))).writerows(rows)
                data[:] = out.getvalue().encode("utf-8-sig", "surrogatepass")
                return f"cell {at_row},{at_column} = {_show(repr(value).encode())}"
            document = json.loads(data)
        except (ValueError, IndexError, RecursionError):
            return "structured (not parseable)"
        path = _replace_somewhere(rng, document, value)
        data[:] = json.dumps(document, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
        return f"value at {path} = {_show(repr(value).encode())}"

    def _token(self, rng: random.Random) -> bytes:
        if self.huge and rng.random() < 0.02:
            return b"x" * (self.huge + 1)
        return rng.choice(self.tokens)

    def _place(self, rng: random.Random, data: bytearray) -> int:
        if data and rng.random() < 0.6:  # right after a delimiter, where a parser changes state
            for _ in range(8):
                at = rng.randrange(len(data))
                if data[at] in DELIMITERS:
                    return at + 1
        return rng.randrange(len(data) + 1)

    @staticmethod
    def _slice(rng: random.Random, data: bytearray, longest: int = 256) -> tuple[int, int]:
        start = rng.randrange(len(data) + 1)
        return start, min(len(data), start + rng.randrange(1, longest + 1))

    _operations: tuple[Callable[["Mutator", random.Random, bytearray], str], ...] = (
        _flip,
        _set_byte,
        _delete,
        _repeat,
        _truncate,
        _splice,
        _insert_token,
        _insert_token,
        _insert_token,
        _structured,
        _structured,
        _structured,
    )


def _show(token: bytes) -> str:
    return repr(token) if len(token) <= 40 else f"{token[:20]!r}…({len(token):,} bytes)"


def _replace_somewhere(rng: random.Random, document: object, value: object) -> str:
    """Replace a random value (or add a random key) somewhere in ``document``; its path."""
    path, node = "", document
    while isinstance(node, dict | list) and node and rng.random() < 0.8:
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
        child = node[key]  # type: ignore[index]
        if not isinstance(child, dict | list) or not child or rng.random() < 0.3:
            node[key] = value  # type: ignore[index]
            return f"{path}/{key}"
        path, node = f"{path}/{key}", child
    if isinstance(node, dict):
        key = rng.choice(("lars", "name", "schema", "standard_version", "\ud800", "a b", "x" * 300))
        node[key] = value
        return f"{path}/{key!r}"
    if isinstance(node, list):
        node.append(value)
        return f"{path}/-"
    return "(scalar document)"
