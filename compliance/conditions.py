"""Label conditions: the small boolean language of the beslishulp's redirects and the Algoritmekader's exclusions.

The beslishulp writes ``'"aanbieder" in labels && !("open-source" in labels)'`` (evaluated upstream with
jexl); the Algoritmekader writes ``("soort-toepassing-ai-systeem" || ...) && "open-source-open-source"``.
Both are string atoms (optionally followed by ``in labels``) joined by ``!``, ``&&``, ``||`` and
parentheses. This module parses them into a tree once and evaluates them against a set of labels;
it never calls ``eval``. Membership is exact: ``"AI-systeem"`` does not match
``"AI-systeem voor algemene doeleinden"``.
"""

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from loader.errors import AlgokgError

_TOKEN = re.compile(r'\s*(?:(?P<string>"[^"]*"|\'[^\']*\')|(?P<op>&&|\|\||!|\(|\))|(?P<word>[A-Za-z_]+))')

Test = Callable[[Collection[str]], bool]


class ConditionError(AlgokgError):
    """A condition that does not parse; the message shows where."""


@dataclass(frozen=True)
class Condition:
    """A parsed condition: its text, the labels it mentions, and the test."""

    text: str
    atoms: frozenset[str]
    test: Test

    def __call__(self, labels: Collection[str]) -> bool:
        return self.test(labels)


def parse(text: str) -> Condition:
    """Parse ``text``; :class:`ConditionError` names the offset of the first thing not understood."""
    tokens = _tokenize(text)
    parser = _Parser(text, tokens)
    test = parser.disjunction()
    if parser.position < len(tokens):
        raise ConditionError(f"unexpected {tokens[parser.position][1]!r} at token {parser.position + 1} in {text!r}")
    return Condition(text, frozenset(parser.atoms), test)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, offset = [], 0
    while offset < len(text.rstrip()):
        match = _TOKEN.match(text, offset)
        if not match or match.end() == offset:
            raise ConditionError(f"cannot read {text[offset : offset + 20]!r} at character {offset} of {text!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        offset = match.end()
    return tokens


class _Parser:
    # disjunction := conjunction ('||' conjunction)* ; conjunction := unary ('&&' unary)*
    # unary := '!' unary | '(' disjunction ')' | STRING ['in' 'labels']
    def __init__(self, text: str, tokens: list[tuple[str, str]]) -> None:
        self.text, self.tokens, self.position = text, tokens, 0
        self.atoms: set[str] = set()

    def _peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise ConditionError(f"{self.text!r} ends early" + (f"; expected {expected!r}" if expected else ""))
        token = self.tokens[self.position]
        if expected is not None and token[1] != expected:
            raise ConditionError(f"expected {expected!r} but found {token[1]!r} in {self.text!r}")
        self.position += 1
        return token

    def disjunction(self) -> Test:
        parts = [self.conjunction()]
        while self._peek() == "||":
            self._take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda labels: any(part(labels) for part in parts))

    def conjunction(self) -> Test:
        parts = [self.unary()]
        while self._peek() == "&&":
            self._take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda labels: all(part(labels) for part in parts))

    def unary(self) -> Test:
        kind, value = self._take()
        if value == "!":
            inner = self.unary()
            return lambda labels: not inner(labels)
        if value == "(":
            inner = self.disjunction()
            self._take(")")
            return inner
        if kind != "string":
            raise ConditionError(f"expected a quoted label but found {value!r} in {self.text!r}")
        if self._peek() == "in":
            self._take()
            self._take("labels")
        atom = value[1:-1]
        self.atoms.add(atom)
        return lambda labels: atom in labels
