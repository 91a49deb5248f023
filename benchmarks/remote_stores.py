"""Real remote stores for tests and benchmarks, each started on loopback in a directory and stopped after.

- `oxigraph_server`: `oxigraph serve` from the `oxigraph` package on PyPI (a test dependency).
- `virtuoso_server`: OpenLink Virtuoso from Debian's `virtuoso-opensource` (`.ci/run` installs it), set up as
  `docs/scale-out.md` says: the anonymous SPARQL user (what `algokg serve --remote` reads with) may only read,
  and `algokg publish` writes as its own account (`PUBLISHER`) on `/sparql-auth` (`publisher_url`).
  `virtuoso_sql(url, ANONYMOUS_UPDATES)` gives the anonymous user update rights too — the setup the docs once
  gave, which the tests use to show that the API's query gate alone keeps public requests from writing.
"""

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.processes import free_port, running

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph") or "oxigraph"
NO_VIRTUOSO = "Virtuoso is not installed (Debian package virtuoso-opensource; .ci/run installs it)"
# The account `algokg publish` writes as (test instances on loopback only; a real one gets a real secret).
PUBLISHER, PUBLISHER_SECRET = "algokg_publish", "publish-secret"
# The anonymous SPARQL user (what `algokg serve --remote` reads with) may write, or may only read (as documented).
ANONYMOUS_UPDATES = "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
ANONYMOUS_READS_ONLY = "REVOKE SPARQL_UPDATE FROM \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1);"

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
_SQL_PORTS: dict[str, int] = {}  # query endpoint URL -> SQL port, of the Virtuoso instances running here


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
    """A Virtuoso instance with its database in `directory`; yields its (anonymous) SPARQL endpoint URL."""
    if VIRTUOSO is None or ISQL is None:
        raise RuntimeError(NO_VIRTUOSO)
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(dir=directory, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    url = f"http://127.0.0.1:{http_port}/sparql"
    command = [VIRTUOSO, "-f", "-c", str(ini)]
    with running(command, url + _ASK, "Virtuoso", directory / "virtuoso.out", seconds=120, cwd=directory):
        # docs/scale-out.md: a publishing account that may write (7: read, write, sponge; the anonymous user's
        # rights may never exceed it), the anonymous user reading only.
        setup = (
            f"DB.DBA.USER_CREATE ('{PUBLISHER}', '{PUBLISHER_SECRET}'); GRANT SPARQL_UPDATE TO \"{PUBLISHER}\"; "
            f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('{PUBLISHER}', 7); {ANONYMOUS_READS_ONLY}"
        )
        _SQL_PORTS[url] = sql_port
        try:
            virtuoso_sql(url, setup)
            yield url
        finally:
            del _SQL_PORTS[url]


def virtuoso_sql(url: str, statements: str) -> None:
    """Run SQL statements as the DBA in the Virtuoso instance (started here) whose SPARQL endpoint is `url`."""
    assert ISQL is not None
    command = [ISQL, f"127.0.0.1:{_SQL_PORTS[url]}", "dba", "dba", f"exec={statements}"]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def publisher_url(query_url: str) -> str:
    """The URL `algokg publish` is given for a store started here: Virtuoso's authenticated endpoint with the
    publishing account's credentials; Oxigraph server's own URL (it has no accounts)."""
    parts = urlsplit(query_url)
    if not parts.path.endswith("/sparql"):
        return query_url
    netloc = f"{PUBLISHER}:{PUBLISHER_SECRET}@{parts.netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path + "-auth", parts.query, parts.fragment))
