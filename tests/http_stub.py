"""HTTP servers on a free loopback port, in a thread of the test process, for tests that need something to answer
(downloads, a SERVICE target that must never be reached). `algokg serve` and the remote stores run as real
processes instead (`benchmarks.processes`)."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Stub:
    """A running stub: `base` is `http://127.0.0.1:PORT`; `hits` the paths a counting stub was asked for."""

    base: str
    server: ThreadingHTTPServer
    hits: list[str] = field(default_factory=list)

    def stop(self) -> None:
        """Stop answering now (the port closes); also done when the block ends."""
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def serving(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[Stub]:
    """Serve `handler` (a request handler class, or a partial of one) while the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub = Stub(f"http://127.0.0.1:{server.server_address[1]}", server)
    try:
        yield stub
    finally:
        stub.stop()
        thread.join()


@contextmanager
def counting(status: int, body: bytes) -> Iterator[Stub]:
    """A stub that answers every GET and POST with `status` and `body`, and counts the requests in `hits`."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *_: object) -> None:
            pass

    with serving(Handler) as stub:
        stub.hits = hits
        yield stub
