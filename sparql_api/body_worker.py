"""A body worker process: runs one job at a time (`sparql_api.body_jobs`) and sends back its outcome.

Started by `sparql_api.body_workers` as `python path/to/body_worker.py FD`, not as part of the package:
importing `sparql_api` would build the whole web app in every worker. A job that raises answers a 500
outcome (the traceback goes to the server's log, never to the client); one that crashes the process (a
parser's stack overflow) or overruns its deadline costs this process, not the server.
"""

import os
import pickle
import signal
import socket
import sys
import traceback
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _receive(connection: socket.socket, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = connection.recv(min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def main(argv: list[str]) -> int:
    # Ctrl-C in the server's terminal reaches the whole process group: the server decides when workers end.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if "sparql_api" not in sys.modules:
        # A bare package object: importing sparql_api/__init__.py would build the web app (~1 s).
        package = types.ModuleType("sparql_api")
        package.__path__ = [str(HERE)]
        sys.modules["sparql_api"] = package
    from sparql_api import body_jobs

    jobs = {
        "update": body_jobs.run_update,
        "graph_store": body_jobs.run_graph_store,
        "validate": body_jobs.run_validate,
    }
    connection = socket.socket(fileno=int(argv[1]))
    while True:
        header = _receive(connection, 8)
        message = _receive(connection, int.from_bytes(header, "big")) if header else None
        if message is None:
            return 0  # the server closed its end (or died): nothing more to do
        function, job = pickle.loads(message)
        try:
            outcome = jobs[function](job)
        except Exception as error:
            traceback.print_exc(file=sys.stderr)
            detail = f"{type(error).__name__} while handling the request body; nothing was written"
            outcome = body_jobs.refusal(500, "The request could not be handled", detail)
        answer = pickle.dumps(outcome)
        connection.sendall(len(answer).to_bytes(8, "big") + answer)


if __name__ == "__main__":
    # Run as a script, sys.path[0] is this directory: drop it so its modules do not shadow top-level ones.
    if sys.path and os.path.abspath(sys.path[0]) == str(HERE):
        sys.path.pop(0)
    sys.path.append(str(HERE.parent))  # `loader` beside `sparql_api`, for a checkout that is not installed
    sys.exit(main(sys.argv))
