"""YAML text -> nodes or Python values within the input limits (:mod:`loader.sources.limits`), with located errors.

PyYAML composes a document by recursion (a RecursionError some hundreds of levels down), lets an alias stand for
any node defined before it (nine levels of nine aliases, the "billion laughs", are 387 million values once
anything walks them, as validation and error messages do) and converts plain scalars as it meets them (an
integer over 4,300 digits or the date ``2024-13-45`` raise ValueError, not a YAML error). Here one pass,
while the document is composed, holds it to the limits every reader applies:

- mappings and sequences nest at most ``nesting`` deep;
- what aliases add, counted as the characters of the nodes they repeat, stays within the entity budget
  (``ALGOKG_MAX_ENTITY_EXPANSION``, or the file's size if larger), as RDF/XML entity references do; an alias
  inside the node it names (a recursive document) is refused;
- a scalar holds at most ``field_chars`` characters, a number at most ``number_chars``;
- every scalar YAML would convert (numbers, dates, booleans, binary) converts, or is refused where it stands.

Errors are :class:`~loader.errors.SourceError` with the file, line and column.

>>> load_yaml("a: [1, 2]\\nb: &x {c: d}\\ne: *x\\n", label="doc.yaml")
{'a': [1, 2], 'b': {'c': 'd'}, 'e': {'c': 'd'}}
"""

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from loader.errors import SourceError
from loader.sources.limits import ENVIRONMENT, InputLimits, input_limits

_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_NUMBERS = (_INT, _FLOAT)
_KIND = {
    _INT: "whole number",
    _FLOAT: "number",
    "tag:yaml.org,2002:bool": "yes/no value",
    "tag:yaml.org,2002:null": "empty value",
    "tag:yaml.org,2002:timestamp": "date",
    "tag:yaml.org,2002:binary": "base64 value",
}


def compose_yaml(text: str, *, label: str, limits: InputLimits | None = None) -> Node | None:
    """The node graph of the one YAML document in ``text`` (None for an empty one), within ``limits``
    (default: :func:`input_limits`). Aliases stay shared nodes: walk the graph knowing that.

    :raises SourceError: not YAML, or over a limit (line and column)
    """
    try:
        loader = _BoundedLoader(text, limits or input_limits())  # the reader refuses NUL and the like here
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise SourceError(f"not YAML: {error.reason} (U+{error.character:04X})", path=label, line=line) from None
    try:
        return loader.get_single_node()
    except _Refused as refused:
        message = f"invalid YAML at column {refused.column}: {refused.problem}"
        raise SourceError(message, path=label, line=refused.line) from None
    except yaml.YAMLError as error:
        raise _located(error, label) from None
    finally:
        loader.dispose()


def construct_yaml(node: Node | None, *, label: str) -> object:
    """The Python value of a node graph :func:`compose_yaml` made (what ``yaml.safe_load`` gives).

    :raises SourceError: a tag YAML's safe loader does not know, an unhashable key (line and column)
    """
    if node is None:
        return None
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_document(node)
    except yaml.YAMLError as error:
        raise _located(error, label) from None
    finally:
        constructor.dispose()


def load_yaml(text: str, *, label: str, limits: InputLimits | None = None) -> object:
    """``yaml.safe_load(text)`` within ``limits``; see the module.

    :raises SourceError: not YAML, or over a limit (line and column)
    """
    return construct_yaml(compose_yaml(text, label=label, limits=limits), label=label)


class _Refused(Exception):
    def __init__(self, mark: Any, problem: str) -> None:
        super().__init__(problem)
        self.problem, self.line, self.column = problem, mark.line + 1, mark.column + 1


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's composer, each node checked as it is made (one pass; the recursion is at most ``nesting`` deep)."""

    def __init__(self, text: str, limits: InputLimits) -> None:
        super().__init__(text)
        self.limits = limits
        self.depth = 0
        self.budget, self.added = limits.entity_budget(len(text)), 0
        self.weights: dict[int, int] = {}  # id(node) -> characters it stands for, aliases expanded

    def compose_node(self, parent: Node | None, index: object) -> Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._alias(event)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        if isinstance(event, yaml.CollectionStartEvent) and self.depth >= self.limits.nesting:
            raise _Refused(
                event.start_mark,
                f"mappings and sequences nested deeper than {self.limits.nesting} ({ENVIRONMENT['nesting']})",
            )
        self.depth += 1
        node = super().compose_node(parent, index)
        self.depth -= 1
        self.weights[id(node)] = self._weight(node)
        return node  # type: ignore[no-any-return]

    def _alias(self, event: yaml.AliasEvent) -> None:
        node = self.anchors.get(event.anchor)
        if node is None:
            return  # the composer refuses an undefined alias itself
        weight = self.weights.get(id(node))
        if weight is None:
            raise _Refused(event.start_mark, f"the alias *{event.anchor} is inside the node it names (recursive)")
        self.added += weight
        if self.added > self.budget:
            raise _Refused(
                event.start_mark,
                f"aliases would add {self.added:,} characters, over the limit of {self.budget:,}"
                f" ({ENVIRONMENT['entity_expansion']}, or the file's size if larger)",
            )

    def _weight(self, node: Node) -> int:
        if isinstance(node, ScalarNode):
            self._check_scalar(node)
            return len(node.value) + 1
        weights = self.weights
        if isinstance(node, SequenceNode):
            return 1 + sum(weights[id(item)] for item in node.value)
        assert isinstance(node, MappingNode)
        return 1 + sum(weights[id(key)] + weights[id(value)] for key, value in node.value)

    def _check_scalar(self, node: ScalarNode) -> None:
        size, limits = len(node.value), self.limits
        if size > limits.field_chars:
            raise _Refused(
                node.start_mark,
                f"a value of {size:,} characters, over the limit of {limits.field_chars:,}"
                f" ({ENVIRONMENT['field_chars']})",
            )
        if node.tag in _NUMBERS and size > limits.number_chars:
            raise _Refused(
                node.start_mark,
                f"a number of {size:,} characters, over the limit of {limits.number_chars}"
                f" ({ENVIRONMENT['number_chars']})",
            )
        if node.tag in _KIND:
            try:  # what construction would do with it, here, where it can be located
                self.yaml_constructors[node.tag](self, node)
            except Exception as error:  # any failure of the conversion: the value is not valid
                shown = node.value if size <= 60 else node.value[:60] + "…"
                reason = f" ({error})" if type(error) is ValueError else ""  # the others say only how it failed
                raise _Refused(node.start_mark, f"{shown!r} is not a valid {_KIND[node.tag]}{reason}") from None


def _located(error: yaml.YAMLError, label: str) -> SourceError:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    message = f"{context}, {problem}" if context else problem
    if mark is None:
        return SourceError(f"not YAML: {message}", path=label)
    return SourceError(f"not YAML at column {mark.column + 1}: {message}", path=label, line=mark.line + 1)


__all__ = ["compose_yaml", "construct_yaml", "load_yaml"]
