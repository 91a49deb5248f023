"""REST views as CSV tables: the columns come from the view's model, never from the rows of the page.

A model's fields become columns by their JSON names (aliases; `@id` and `@type` as `id` and `type`), in
declaration order. A linked thing (a `Ref`
or any nested model) is its `@id` column plus one column per other field (`organisation`,
`organisation.label`); a list of them joins the values with " | " in each of those columns, a list of plain
values the same in one column. So every page of a collection, an empty one too, has the same header, and a
column is there whether or not this page's rows have a value in it. Cells are made safe for spreadsheets by
`loader.csv_cells`.
"""

import types
from collections.abc import Iterable, Iterator
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from loader.csv_cells import csv_table

SEPARATOR = " | "


def item_model(container: type[BaseModel], field: str) -> type[BaseModel]:
    """The model of the items in the list field `field` of `container`, e.g. `AlgorithmSummary` for
    `Page[AlgorithmSummary]` and `"items"` (a route's declared `response_model`)."""
    (model,) = get_args(container.model_fields[field].annotation)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"{container.__name__}.{field} does not declare the model of its items")
    return model


def columns(model: type[BaseModel]) -> list[str]:
    """The CSV header of `model`: one column per scalar field, `@id` and the other fields of nested models."""
    return [name for name, _ in _columns(model)]


def csv_text(model: type[BaseModel], items: Iterable[BaseModel]) -> str:
    """`items` (instances of `model`) as one CSV table with `columns(model)` as header."""
    return csv_table(columns(model), (row(model, item) for item in items))


def row(model: type[BaseModel], item: BaseModel) -> dict[str, object]:
    """One item as a flat row keyed by `columns(model)`."""
    data = item.model_dump(by_alias=True)
    flat: dict[str, object] = {}
    for name, path in _columns(model):
        flat[name] = _cell(data, path)
    return flat


def _columns(
    model: type[BaseModel], prefix: str = "", path: tuple[str, ...] = ()
) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(column name, path of keys into the dumped item) for every column of `model`."""
    for name, info in model.model_fields.items():
        key = info.alias or name
        column = _column_name(prefix, key)
        if (nested := _nested_model(info.annotation)) is None:
            yield column, (*path, key)
        else:
            yield from _columns(nested, column, (*path, key))


def _column_name(prefix: str, key: str) -> str:
    """`organisation` + `@id` is `organisation`, + `label` is `organisation.label`; top-level `@id` and `@type` are
    `id` and `type` (a spreadsheet reads a cell starting with `@` as a formula)."""
    if not prefix:
        return key.lstrip("@")
    return prefix if key == "@id" else f"{prefix}.{key}"


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside `Ref`, `Ref | None` or `list[Ref]`; None for anything else."""
    candidates = [annotation]
    if get_origin(annotation) in (Union, types.UnionType, list):
        candidates = [arg for arg in get_args(annotation) if arg is not type(None)]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _cell(data: Any, path: tuple[str, ...]) -> object:
    """The value at `path`; where a list is met, the values of its members joined by " | "."""
    for position, key in enumerate(path):
        if isinstance(data, list):
            values = [_cell(member, path[position:]) for member in data]
            return SEPARATOR.join("" if value is None else str(value) for value in values)
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    if isinstance(data, list):
        return SEPARATOR.join("" if value is None else str(value) for value in data)
    return data


__all__ = ["columns", "csv_text", "item_model", "row"]
