"""Who runs next on the query workers, and which running query must make room: the policy, no processes here.

`sparql_api.worker_pool` asks this module; it keeps no clock of its own (every call is given `now`). Clients
are ranked by what their recent queries did (`MEMORY` seconds): *heavy* when one was stopped by rule 2 or 4 or
at its deadline; else *light* when one was answered within T; else *new*. Privileged queries (the write-token
holder, the server itself) rank first. The rules:

1. **Long-query lane.** At most `long_lane` queries (by default one fewer than the workers) may run longer than
   `long_seconds` (T). A query that reaches T takes a place in that lane if one is free.
2. **Overdue queries make room.** A query past T that found no place in the lane keeps its worker only while no
   query that may start, of a client ranked no lower, waits for one; then it is stopped (503, Retry-After).
   When a place in the lane frees, the oldest overdue query takes it.
3. **Order of waiting.** Privileged, then light, then new, then heavy clients' queries (a waiting query follows
   its client's rank as it changes). Within a rank, first come, first served, until the oldest query of that
   rank has waited T: then newest first (privileged queries are always served in order). An overloaded queue
   served in order makes every query wait for all the expensive ones ahead of it and miss its deadline; newest
   first answers what was just asked and lets the oldest time out (503).
4. **Heavy clients make room.** A waiting query of a light (or privileged) client may stop a running query of a
   heavy client that is not in the long-query lane.
5. **Heavy clients wait for the lane.** While the long-query lane is full, a heavy client's query does not
   start (it waits for a place, or its deadline): it would be overdue at T and stopped, and a worker killed and
   replaced every T seconds costs everybody CPU. (With one worker there is no lane, and no rule 5.)

So with W workers, W-1 may be held by long queries, and the last one is held past T only while no query of a
client ranked as high waits; under attack it is mostly idle. A cheap query of a client known for cheap queries
waits for no expensive one, and one of a new client for T at most. Privileged queries are never stopped by
rules 2 and 4 (they still count in the lane) and rule 5 does not hold them back.
"""

from collections import defaultdict
from dataclasses import dataclass

PRIVILEGED, LIGHT, NEW, HEAVY = 0, 1, 2, 3  # ranks, served in this order
MEMORY = 60.0  # seconds a client stays heavy or light after the query that made it so
_MAX_REMEMBERED = 100_000  # clients remembered at most per kind (the oldest forgotten first)

OVERDUE = "overdue"  # why a query was stopped (rule 2)
MAKE_ROOM = "make-room"  # (rule 4)


@dataclass(eq=False)
class Job:
    """One query asking for, or holding, a worker."""

    client: str
    privileged: bool = False
    rank: int = NEW  # its client's rank (kept up to date while it waits; fixed once it runs)
    started: float | None = None  # when it got its worker
    long: bool = False  # holds a place in the long-query lane
    overdue: bool = False  # past T without a place in the lane
    stopping: str | None = None  # OVERDUE or MAKE_ROOM once chosen to be stopped


class Lanes:
    """The state of the policy: waiting queries, running ones, the lane, what is known of clients."""

    def __init__(self, long_lane: int, long_seconds: float) -> None:
        self.long_lane = max(0, long_lane)
        self.long_seconds = long_seconds
        # Waiting queries: per rank, in the order they came (-> when they began to wait); and per client.
        self._queues: dict[int, dict[Job, float]] = {rank: {} for rank in (PRIVILEGED, LIGHT, NEW, HEAVY)}
        self._queued: dict[str, set[Job]] = defaultdict(set)
        self.running: set[Job] = set()
        self._heavy_until: dict[str, float] = {}
        self._light_until: dict[str, float] = {}

    # -- clients --------------------------------------------------------------------------------------------

    def rank(self, client: str, now: float) -> int:
        """LIGHT, NEW or HEAVY: what the last `MEMORY` seconds tell of `client`."""
        if _known(self._heavy_until, client, now):
            return HEAVY
        return LIGHT if _known(self._light_until, client, now) else NEW

    def _learn(self, client: str, until: dict[str, float], now: float) -> None:
        _remember(until, client, now)
        rank = self.rank(client, now)
        for job in self._queued.get(client, ()):
            if not job.privileged and job.rank != rank:
                self._queues[rank][job] = self._queues[job.rank].pop(job)
                job.rank = rank

    # -- waiting --------------------------------------------------------------------------------------------

    def wait(self, job: Job, now: float) -> None:
        job.rank = PRIVILEGED if job.privileged else self.rank(job.client, now)
        self._queues[job.rank][job] = now
        self._queued[job.client].add(job)

    def forget(self, job: Job) -> None:
        """`job` no longer waits (it gave up, or was served)."""
        queued = self._queued.get(job.client)
        if queued is not None and job in queued:
            queued.discard(job)
            del self._queues[job.rank][job]
            if not queued:
                del self._queued[job.client]

    @property
    def waiting(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    def next_waiting(self, now: float) -> Job | None:
        """The waiting query to serve next (rule 3), out of the queue; None if none may start (rule 5)."""
        for rank, queue in self._queues.items():
            if not queue:
                continue
            if rank == HEAVY and self._lane_full():
                return None
            oldest = next(iter(queue))
            overloaded = rank != PRIVILEGED and now - queue[oldest] >= self.long_seconds
            job = next(reversed(queue)) if overloaded else oldest
            self.forget(job)
            return job
        return None

    def may_start(self, job: Job) -> bool:
        return job.rank != HEAVY or not self._lane_full()

    def _lane_full(self) -> bool:
        return self.long_lane > 0 and sum(1 for job in self.running if job.long) >= self.long_lane

    # -- running --------------------------------------------------------------------------------------------

    def started(self, job: Job, now: float) -> None:
        job.started = now
        self.running.add(job)

    def reached_long(self, job: Job) -> None:
        """`job` has run for T: into the lane if there is room (rule 1), else overdue (rule 2)."""
        if self.long_lane > 0 and not self._lane_full():
            job.long = True
        else:
            job.overdue = True

    def finished(self, job: Job, now: float, *, answered: bool, timed_out: bool = False) -> None:
        """`job` no longer holds a worker: `answered`, stopped (`job.stopping`), `timed_out` at its deadline, or
        gone otherwise (its client left, its worker died, the server stops); its place in the lane, if it had
        one, goes to the oldest overdue query."""
        self.running.discard(job)
        if job.stopping is not None or timed_out:
            self._learn(job.client, self._heavy_until, now)
        elif answered and job.started is not None and now - job.started < self.long_seconds:
            self._learn(job.client, self._light_until, now)
        if job.long:
            job.long = False
            overdue = [other for other in self.running if other.overdue and other.stopping is None]
            if overdue:
                promoted = min(overdue, key=lambda other: other.started or 0.0)
                promoted.overdue, promoted.long = False, True

    def victims(self, now: float) -> list[Job]:
        """Running queries to stop so that waiting ones get a worker (rules 2 and 4), marked `stopping`.

        At most one per waiting query that may start and that no query already being stopped makes room for.
        """
        startable = [job for queue in self._queues.values() for job in queue if self.may_start(job)]  # by rank
        pending = len(startable) - sum(1 for job in self.running if job.stopping)
        chosen: list[Job] = []
        for waiter in startable[: max(0, pending)]:
            victim = self._victim_for(waiter, now)
            if victim is None:
                break  # later waiters rank the same or lower: nothing for them either
            chosen.append(victim)
        return chosen

    def _victim_for(self, waiter: Job, now: float) -> Job | None:
        candidates = [job for job in self.running if job.stopping is None and not job.privileged and not job.long]
        overdue = [job for job in candidates if job.overdue and job.rank >= waiter.rank]
        if overdue:
            victim, reason = min(overdue, key=lambda job: job.started or 0.0), OVERDUE
        elif waiter.rank <= LIGHT:
            heavy = [job for job in candidates if _known(self._heavy_until, job.client, now)]
            if not heavy:
                return None
            victim, reason = min(heavy, key=lambda job: job.started or 0.0), MAKE_ROOM
        else:
            return None
        victim.stopping = reason
        return victim


def _known(until: dict[str, float], client: str, now: float) -> bool:
    """Whether `client` was marked in `until` less than `MEMORY` seconds ago (an expired mark is dropped)."""
    expiry = until.get(client)
    if expiry is not None and expiry <= now:
        del until[client]
        return False
    return expiry is not None


def _remember(until: dict[str, float], client: str, now: float) -> None:
    until.pop(client, None)  # re-inserted: the dict stays ordered by the last mark, the oldest first
    until[client] = now + MEMORY
    if len(until) > _MAX_REMEMBERED:
        del until[next(iter(until))]
