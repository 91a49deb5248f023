"""Real remote stores for tests and benchmarks, each started on loopback in a directory and stopped after.

- `oxigraph_server`: `oxigraph serve` from the `oxigraph` package on PyPI (a test dependency).
- `virtuoso_server`: OpenLink Virtuoso from Debian's `virtuoso-opensource` (`.ci/run` installs it); the
  anonymous SPARQL user is given update rights, as an operator of a private store behind the API would.
"""

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.processes import free_port, running

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph") or "oxigraph"
NO_VIRTUOSO = "Virtuoso is not installed (Debian package virtuoso-opensource; .ci/run installs it)"

_VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


_ASK = "?query=ASK%20%7B%7D"


@contextmanager
def oxigraph_server(directory: Path) -> Iterator[str]:
    """`oxigraph serve` on an on-disk store in `directory`; yields its query endpoint URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/query"
    command = [OXIGRAPH, "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}"]
    with running(command, url + _ASK, "oxigraph serve", directory / "oxigraph.log"):
        yield url


@contextmanager
def virtuoso_server(directory: Path) -> Iterator[str]:
    """A Virtuoso instance with its database in `directory`; yields its SPARQL endpoint URL."""
    if VIRTUOSO is None or ISQL is None:
        raise RuntimeError(NO_VIRTUOSO)
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    url = f"http://127.0.0.1:{http_port}/sparql"
    command = [VIRTUOSO, "-f", "-c", str(ini)]
    with running(command, url + _ASK, "Virtuoso", directory / "virtuoso.out", seconds=120, cwd=directory):
        grant = "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
        subprocess.run(
            [ISQL, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={grant}"], check=True, capture_output=True, timeout=60
        )
        yield url
