"""The input limits every reader applies, one set for every format (CSV, the JSON flavours, YAML, RDF).

They bound what one file may make the loader (or the server's RDF parsing, or the compliance commands) hold or
compute; a value over a limit is a located error, never a crash. Each has a default and an environment variable,
read when a file is read (so a test or an operator can change it without restarting anything; `algokg serve`
checks them at startup):

===========================  ===============================  ==========  ==========================================
limit                        variable                         default     what it bounds
===========================  ===============================  ==========  ==========================================
``field_chars``              ``ALGOKG_MAX_FIELD_CHARS``       1,048,576   characters of one value: a CSV field, a JSON
                                                                          string or key, a YAML scalar, an RDF literal
``nesting``                  ``ALGOKG_MAX_NESTING``           64          nesting of JSON/JSON-LD arrays and objects,
                                                                          YAML collections, RDF/XML elements
``number_chars``             ``ALGOKG_MAX_NUMBER_CHARS``      100         characters of one number (JSON, YAML, RDF
                                                                          numeric literals)
``entity_expansion``         ``ALGOKG_MAX_ENTITY_EXPANSION``  10,485,760  characters RDF/XML entity references or YAML
                                                                          aliases may add in all (or the file's own
                                                                          size if larger)
===========================  ===============================  ==========  ==========================================
"""

import csv
import os
import threading
from dataclasses import dataclass, fields

from loader.errors import AlgokgError


@dataclass(frozen=True)
class InputLimits:
    """How much one input may ask for; see the module table."""

    field_chars: int = 1_048_576  # the standard's largest field is 5,000 characters
    nesting: int = 64  # register JSON nests 4 deep, JSON-LD and RDF/XML rarely over 15
    number_chars: int = 100  # Python refuses to convert integers over 4,300 digits: stay far below
    entity_expansion: int = 10_485_760

    def entity_budget(self, document_size: int) -> int:
        """Characters entity references may add to a document of ``document_size`` bytes."""
        return max(self.entity_expansion, document_size)


ENVIRONMENT = {
    "field_chars": "ALGOKG_MAX_FIELD_CHARS",
    "nesting": "ALGOKG_MAX_NESTING",
    "number_chars": "ALGOKG_MAX_NUMBER_CHARS",
    "entity_expansion": "ALGOKG_MAX_ENTITY_EXPANSION",
}


_CSV_LIMIT = threading.Lock()


def allow_csv_fields(limit: int) -> None:
    """Let Python's ``csv`` readers take fields of ``limit`` characters: the module's limit is one for the whole
    process, so it is only ever raised here (under a lock), never lowered or restored, and a reader whose own limit
    is lower checks its fields itself. Setting it per read and restoring it afterwards let one thread's (or one
    unfinished generator's) restore cut another read short.
    """
    with _CSV_LIMIT:
        if csv.field_size_limit() < limit:
            csv.field_size_limit(limit)


def input_limits() -> InputLimits:
    """The limits in force: the defaults, overridden by the environment variables of the module table.

    :raises AlgokgError: a variable that is not a positive whole number

    >>> input_limits().nesting >= 1
    True
    """
    values: dict[str, int] = {}
    for item in fields(InputLimits):
        variable = ENVIRONMENT[item.name]
        raw = os.environ.get(variable, "").strip().replace("_", "")
        if not raw:
            continue
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18 and int(raw) >= 1):
            raise AlgokgError(f"{variable} should be a positive whole number, found {raw!r}")
        values[item.name] = int(raw)
    return InputLimits(**values)
