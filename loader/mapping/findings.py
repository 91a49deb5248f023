"""What the mapping noticed about a record: located, with the field and the value as published."""

from dataclasses import dataclass
from typing import Literal as Kind

from loader.sources.records import Record

Severity = Kind["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One located remark on a record.

    ``error``: the record cannot be stored as it stands (``--strict`` rejects the load);
    ``warning``: stored, but a value could not be reconciled (an organisation, a law link);
    ``info``: a value kept as published because the model has no place for it.
    """

    file: str
    index: int
    line: int | None
    pointer: str | None
    algorithm_id: str | None
    field: str
    severity: Severity
    message: str
    value: str | None = None

    @property
    def location(self) -> str:
        where = f"line {self.line}" if self.line else self.pointer or f"record {self.index}"
        return f"{self.file}, {where}"

    def __str__(self) -> str:
        algorithm = f" (algorithm {self.algorithm_id})" if self.algorithm_id else ""
        value = f": {self.value!r}" if self.value is not None else ""
        return f"{self.location}{algorithm}, field {self.field!r}: {self.severity}: {self.message}{value}"


def finding(record: Record, field: str, severity: Severity, message: str, value: str | None = None) -> Finding:
    source = record.source
    return Finding(
        file=source.file,
        index=source.index,
        line=source.line,
        pointer=source.pointer,
        algorithm_id=record.algorithm_id,
        field=field,
        severity=severity,
        message=message,
        value=value,
    )
