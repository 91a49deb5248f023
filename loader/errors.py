"""Errors that carry where they happened; rendered once, at the CLI or HTTP edge."""

from pathlib import Path


class AlgokgError(Exception):
    """Base error: a message plus, where known, the file, line and field it concerns."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        field: str | None = None,
        link: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.field = field
        self.link = link

    def __str__(self) -> str:
        where = ":".join(str(part) for part in (self.path, self.line) if part is not None)
        parts = [f"{where}: " if where else "", f"field {self.field!r}: " if self.field else "", self.message]
        if self.link:
            parts.append(f" (see {self.link})")
        return "".join(parts)


class StoreError(AlgokgError):
    """The store could not be opened, built or swapped."""


class SourceError(AlgokgError):
    """An input file could not be read as a register source (encoding, syntax, columns, sizes)."""


class UncheckedInputError(SourceError):
    """An input that reading or mapping failed on without a check of its own saying why (a bug to fix with
    such a check): still reported located, with exit code 2, never as a traceback. The fuzz suite counts them."""
