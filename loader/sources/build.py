"""Build a typed record from a flat mapping of published field names to values (shared by every reader)."""

import re
import types
import typing
from collections.abc import Mapping
from typing import Literal, TypeVar

from pydantic import ValidationError

from loader.errors import SourceError
from loader.sources.dates import NormalisedDate, parse_date
from loader.sources.grouped import TitledLink, from_mapping, parse_grouped, parse_item
from loader.sources.records import PublishedRecord, Record, SourceRef, model_for

# Published names that the models spell differently.
RENAMES = {"lars": "algorithm_id", "publication_dt": "publication_date"}
# Fields a reader fills itself; a column with one of these names is reported as unknown.
_RESERVED = frozenset({"source", "unknown_fields", "meta", "language"})

_IDENTIFIER = re.compile(r"[A-Za-z0-9._~-]{1,200}")

Kind = Literal["text", "date", "grouped", "labels"]
R = TypeVar("R", bound=Record)


def choose_model(version: object, *, source: SourceRef) -> type[PublishedRecord]:
    """The model for a record's ``standard_version`` value, or a located error naming the versions known."""
    text = _text(version, field="standard_version", source=source) if not is_empty(version) else ""
    model = model_for(text) if text else None
    if model is None:
        shown = repr(text) if text else "an empty value"
        raise SourceError(
            f"record {source.index}: standard_version is {shown}; known versions are 1.0, 0.4, 0.3.1, 0.2.3 and 0.1",
            path=source.file,
            line=source.line,
            field="standard_version",
        )
    return model


def build_record(
    model: type[R],
    values: Mapping[str, object],
    *,
    source: SourceRef,
    language: str | None = None,
    meta: Mapping[str, str] | None = None,
    renames: Mapping[str, str] | None = None,
) -> R:
    """Read ``values`` (published names) into ``model``; empty values are dropped, unknown names reported.

    :param renames: published name -> model field, besides :data:`RENAMES`; errors name the published name

    :raises SourceError: a value has a type the field cannot hold (a list where text is expected …)
    """
    fields = model.model_fields
    data: dict[str, object] = {}
    unknown: dict[str, str] = {}
    for name, raw in values.items():
        if is_empty(raw):
            continue
        key = (renames or {}).get(name) or RENAMES.get(name, name)
        if key not in fields or key in _RESERVED:
            unknown[name] = _text(raw, field=name, source=source, lenient=True)
            continue
        data[key] = _convert(_kind(fields[key].annotation), raw, field=name, source=source)
    if "algorithm_id" in data:
        _check_identifier(str(data["algorithm_id"]), field="algorithm_id", source=source)
    try:
        return model(**data, source=source, language=language, unknown_fields=unknown, meta=dict(meta or {}))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise SourceError(
            f"record {source.index}: {first['msg']}", path=source.file, line=source.line, field=field
        ) from exc


def _check_identifier(value: str, *, field: str, source: SourceRef) -> None:
    # The id names the algorithm in its IRI (docs/identifiers.md): the register's are 8 digits.
    if not _IDENTIFIER.fullmatch(value):
        shown = value if len(value) <= 80 else value[:80] + "…"
        where = f" at {source.pointer}" if source.pointer else ""
        raise SourceError(
            f"record {source.index}{where}: expected an algorithm id of letters, digits, '.', '_', '~' or '-'"
            f" (the register's are 8 digits), found {shown.encode('utf-8', 'backslashreplace').decode()!r}",
            path=source.file,
            line=source.line,
            field=field,
        )


def is_empty(value: object) -> bool:
    """Whether a published value says nothing: ``None``, blank text or an empty list or object."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | dict) and not value


def _kind(annotation: object) -> Kind:
    args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    if NormalisedDate in args:
        return "date"
    if annotation == list[TitledLink]:
        return "grouped"
    if annotation == list[str]:
        return "labels"
    return "text"


def _convert(kind: Kind, raw: object, *, field: str, source: SourceRef) -> object:
    if kind == "date":
        return parse_date(_text(raw, field=field, source=source))
    if kind == "grouped":
        if isinstance(raw, str):
            return parse_grouped(raw)
        if isinstance(raw, list):
            return [_grouped_item(item, field=field, source=source) for item in raw if not is_empty(item)]
        raise _type_error(raw, "a grouped value (text or list)", field=field, source=source)
    if kind == "labels":
        if isinstance(raw, str):
            return [label.strip() for label in raw.split(",") if label.strip()]
        if isinstance(raw, list):
            return [_text(label, field=field, source=source) for label in raw if not is_empty(label)]
        raise _type_error(raw, "a list of labels", field=field, source=source)
    return _text(raw, field=field, source=source)


def _grouped_item(item: object, *, field: str, source: SourceRef) -> TitledLink:
    if isinstance(item, Mapping):
        return from_mapping(item)
    if isinstance(item, str):
        return parse_item(item)
    raise _type_error(item, "a {title, link} object", field=field, source=source)


def _text(value: object, *, field: str, source: SourceRef, lenient: bool = False) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if lenient:
        return repr(value)
    raise _type_error(value, "text", field=field, source=source)


def _type_error(value: object, expected: str, *, field: str, source: SourceRef) -> SourceError:
    found = type(value).__name__
    where = f" at {source.pointer}" if source.pointer else ""
    return SourceError(
        f"record {source.index}{where}: expected {expected}, found {found}",
        path=source.file,
        line=source.line,
        field=field,
    )
