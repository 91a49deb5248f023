"""Mutated requests to a real `algokg serve`: SPARQL queries (anonymous), updates (with the token), and
bodies for `POST /api/validate`, each outcome tallied.

An outcome is bad when the server answers 5xx other than 503 (a deadline), puts a traceback in the body
or its log, stops answering (died, or no answer within the client's timeout), or a refused write changed
the store (its `current` generation and the files in it).
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_from_bytes

import httpx

from tests.fuzz.loader_fuzz import Tally, fingerprint
from tests.fuzz.mutate import Mutant, Mutator
from tests.fuzz.seeds import loader_seeds
from tests.server.conftest import Server

REPO = Path(__file__).resolve().parents[2]
CLIENT_TIMEOUT = 120.0  # well over the server's own deadline: no answer by then means it is stuck
PREFIXES = (
    "PREFIX akg: <https://w3id.org/algokg/def#>\nPREFIX dct: <http://purl.org/dc/terms/>\n"
    "PREFIX ex: <https://w3id.org/algokg/id/example/>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)
HANDWRITTEN_QUERIES = (
    "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
    "ASK { ?s a akg:Algorithm }",
    "SELECT ?a (COUNT(?t) AS ?n) WHERE { ?a a akg:Algorithm ; akg:theme ?t } GROUP BY ?a ORDER BY DESC(?n) LIMIT 5",
    'SELECT ?a ?title WHERE { ?a dct:title ?title FILTER(CONTAINS(LCASE(STR(?title)), "voorbeeld")) }',
    "CONSTRUCT { ?a dct:title ?t } WHERE { GRAPH ?g { ?a dct:title ?t } } LIMIT 20",
    "DESCRIBE <https://w3id.org/algokg/id/algorithm/00000001>",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    'SELECT ?x WHERE { VALUES ?x { 1 2.5 "a"@nl <http://example.org/x> } BIND(?x + 1 AS ?y) }',
    "SELECT ?c ?label WHERE { ?c skos:prefLabel ?label OPTIONAL { ?c skos:broader+ ?b } } ORDER BY ?label LIMIT 30",
)
UPDATES = (
    'INSERT DATA { GRAPH <http://example.org/edits> { ex:fuzz dct:title "Fuzz"@nl } }',
    'DELETE DATA { GRAPH <http://example.org/edits> { ex:fuzz dct:title "Fuzz"@nl } }',
    "INSERT { GRAPH <http://example.org/edits> { ex:registration-copy ?p ?o } }\n"
    "WHERE { GRAPH ?g { ex:registration-1b ?p ?o } }",
    "DELETE WHERE { GRAPH ?g { ex:registration-1b dct:title ?title } }",
    'WITH <http://example.org/edits> DELETE { ?s ?p ?o } INSERT { ?s dct:description "x" } WHERE { ?s ?p ?o }',
    "CLEAR GRAPH <http://example.org/edits>",
    'INSERT DATA { ex:fuzz-default akg:algorithmId "00000077" }',
)
VALIDATE_TYPES = {
    ".json": "application/json",
    ".csv": "text/csv",
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
}
VALIDATE_TYPES[".jsonld"] = "application/ld+json"


def query_seeds() -> list[bytes]:
    competency = sorted((REPO / "queries" / "competency").glob("*.rq"))
    return [path.read_bytes() for path in competency] + [(PREFIXES + query).encode() for query in HANDWRITTEN_QUERIES]


def update_seeds() -> list[bytes]:
    return [(PREFIXES + update).encode() for update in UPDATES]


def validate_seeds() -> list[tuple[bytes, str]]:
    seeds = [seed for target in ("json", "csv", "turtle", "jsonld") for seed in loader_seeds(target)]
    return [(seed.data, VALIDATE_TYPES[seed.suffix]) for seed in seeds if seed.suffix in VALIDATE_TYPES]


@dataclass
class ServerFuzz:
    """Sends mutants to ``server``; ``token`` is its write token (for `/update`)."""

    server: Server
    token: str
    seed: int
    statuses: dict[tuple[str, int], int] = field(default_factory=dict)  # (target, status) -> answers

    def __post_init__(self) -> None:
        self.client = httpx.Client(timeout=CLIENT_TIMEOUT)
        self.log_offset = len(self.server.log())

    def queries(self, inputs: int) -> Tally:
        mutator = Mutator("sparql-query", query_seeds(), seed=self.seed)

        def send(data: bytes, rng: random.Random, seed: int) -> httpx.Response:
            way, encoded = rng.randrange(3), quote_from_bytes(data, safe="")
            if way == 0 and len(encoded) < 8_000:  # longer URLs are refused by clients and proxies alike
                return self.client.get(self.server.url("/sparql?query=" + encoded))
            if way < 2:
                body = b"query=" + encoded.encode()
                headers = {"Content-Type": "application/x-www-form-urlencoded"}
                return self.client.post(self.server.url("/sparql"), content=body, headers=headers)
            headers = {"Content-Type": "application/sparql-query", "Accept": rng.choice(_ACCEPTS)}
            return self.client.post(self.server.url("/sparql"), content=data, headers=headers)

        return self._run("sparql-query", inputs, mutator.mutant, send, writes=False)

    def updates(self, inputs: int) -> Tally:
        mutator = Mutator("sparql-update", update_seeds(), seed=self.seed)
        headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {self.token}"}

        def send(data: bytes, rng: random.Random, seed: int) -> httpx.Response:
            return self.client.post(self.server.url("/update"), content=data, headers=headers)

        return self._run("sparql-update", inputs, mutator.mutant, send, writes=True)

    def validations(self, inputs: int) -> Tally:
        seeds = validate_seeds()
        mutator = Mutator("json", [data for data, _ in seeds], seed=self.seed)

        def send(data: bytes, rng: random.Random, seed: int) -> httpx.Response:
            # Mostly the seed's own type (so the body reaches the reader), now and then another one.
            media_type = seeds[seed][1] if rng.random() < 0.85 else rng.choice(list(VALIDATE_TYPES.values()))
            headers = {"Content-Type": media_type, "Accept": rng.choice(_VALIDATE_ACCEPTS)}
            return self.client.post(self.server.url("/api/validate"), content=data, headers=headers)

        return self._run("api-validate", inputs, mutator.mutant, send, writes=False)

    def _run(
        self,
        target: str,
        inputs: int,
        mutant: Callable[[int], Mutant],
        send: Callable[[bytes, random.Random, int], httpx.Response],
        *,
        writes: bool,
    ) -> Tally:
        tally = Tally(target)
        started = time.perf_counter()
        for number in range(inputs):
            made = mutant(number)
            data, how = made.data, made.how
            rng = random.Random(f"{self.seed}:{target}:send:{number}")
            before = fingerprint(self.server.store_dir) if writes else None
            tally.inputs += 1
            problem = None
            response, error = self._send(send, data, rng, int(how.split(";")[0].split()[1]))
            if response is None:
                tally.no_answer += 1
                problem = f"no answer ({error})"
            if response is not None:
                if response.status_code >= 500 and response.status_code != 503:
                    tally.bad_exit += 1
                    problem = f"status {response.status_code}: {response.text[:200]!r}"
                elif "Traceback (most recent call last)" in response.text:
                    tally.tracebacks += 1
                    problem = "traceback in the body"
                elif response.status_code < 300:
                    tally.accepted += 1
                else:
                    tally.rejected += 1
                self.statuses[(target, response.status_code)] = self.statuses.get((target, response.status_code), 0) + 1
            if traceback := self._new_traceback():
                tally.tracebacks += 1
                problem = (problem + "; " if problem else "") + f"traceback in the log: {traceback}"
            refused = response is None or response.status_code >= 300
            if writes and refused and fingerprint(self.server.store_dir) != before:
                tally.store_changed += 1
                problem = (problem + "; " if problem else "") + "the store changed on a refused write"
            if self.server.process.poll() is not None:
                tally.failures.append(f"{target} #{number} ({how}): the server died ({problem})")
                break
            if problem:
                tally.failures.append(f"{target} #{number} ({how}): {problem}")
        tally.seconds = time.perf_counter() - started
        return tally

    def _send(
        self, send: Callable[[bytes, random.Random, int], httpx.Response], data: bytes, rng: random.Random, seed: int
    ) -> tuple[httpx.Response | None, str]:
        """The answer, retried once on a fresh connection: one the server closed after an earlier 500 is not
        this input's fault (that 500 is counted where it happened)."""
        for attempt in (1, 2):
            try:
                return send(data, rng, seed), ""
            except httpx.TransportError as error:
                if attempt == 2 or self.server.process.poll() is not None:
                    return None, type(error).__name__
        return None, "?"  # pragma: no cover

    def close(self) -> None:
        self.client.close()

    def alive(self) -> bool:
        if self.server.process.poll() is not None:
            return False
        return self.client.get(self.server.url("/health")).status_code == 200

    def _new_traceback(self) -> str | None:
        log = self.server.log()
        new, self.log_offset = log[self.log_offset :], len(log)
        if "Traceback (most recent call last)" not in new:
            return None
        lines = [line for line in new.splitlines() if line.strip()]
        return lines[-1][:300] if lines else "?"


_ACCEPTS = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/rdf+xml",
    "application/ld+json",
    "*/*",
)
_VALIDATE_ACCEPTS = ("application/json", "text/plain", "text/csv", "text/turtle")
