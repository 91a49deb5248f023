"""The scheduling policy of the query workers (`sparql_api.lanes`), rule by rule, on a given clock."""

from sparql_api.lanes import HEAVY, LIGHT, MAKE_ROOM, MEMORY, NEW, OVERDUE, PRIVILEGED, Job, Lanes

T = 0.5


def _running(lanes: Lanes, client: str, now: float, *, privileged: bool = False) -> Job:
    """A query that got a worker at once (as when one is idle): ranked, and running."""
    job = Job(client, privileged)
    job.rank = PRIVILEGED if privileged else lanes.rank(client, now)
    lanes.started(job, now)
    return job


def _make_heavy(lanes: Lanes, client: str, now: float) -> None:
    lanes.finished(_running(lanes, client, now), now + 1.0, answered=False, timed_out=True)


def _make_light(lanes: Lanes, client: str, now: float) -> None:
    lanes.finished(_running(lanes, client, now), now + 0.01, answered=True)


def test_past_t_a_query_takes_a_free_place_in_the_long_lane_else_is_overdue() -> None:
    lanes = Lanes(long_lane=1, long_seconds=T)
    first, second = _running(lanes, "a", 0.0), _running(lanes, "b", 0.0)
    lanes.reached_long(first)
    lanes.reached_long(second)
    assert first.long and not first.overdue
    assert second.overdue and not second.long
    assert lanes.victims(T) == []  # nobody waits: the overdue query keeps its worker


def test_an_overdue_query_is_stopped_when_a_query_that_may_start_and_ranks_as_high_waits() -> None:
    lanes = Lanes(long_lane=1, long_seconds=T)
    _make_heavy(lanes, "heavy", 0.0)
    _make_light(lanes, "light", 0.0)
    long, overdue = _running(lanes, "a", 1.0), _running(lanes, "b", 1.0)  # two new clients
    lanes.reached_long(long)
    lanes.reached_long(overdue)
    lanes.wait(Job("heavy"), 2.0)  # may not start while the lane is full (rule 5)
    assert lanes.victims(2.0) == []
    lanes.wait(Job("c"), 2.0)  # a new client's query ranks as high as the overdue one
    assert lanes.victims(2.0) == [overdue] and overdue.stopping == OVERDUE


def test_an_overdue_query_of_a_light_client_is_not_stopped_for_a_new_one() -> None:
    lanes = Lanes(long_lane=1, long_seconds=T)
    _make_light(lanes, "probe", 0.0)
    lanes.reached_long(_running(lanes, "attacker", 1.0))  # holds the lane
    slow = _running(lanes, "probe", 1.0)  # a cheap query, slow on a loaded machine
    lanes.reached_long(slow)
    lanes.wait(Job("newcomer"), 2.0)
    assert lanes.victims(2.0) == [] and slow.overdue
    lanes.finished(slow, 2.1, answered=True)
    assert lanes.rank("probe", 2.1) == LIGHT  # answered, however slowly: never heavy for that


def test_a_freed_place_goes_to_the_oldest_overdue_query() -> None:
    lanes = Lanes(long_lane=1, long_seconds=T)
    long, older, newer = _running(lanes, "a", 0.0), _running(lanes, "b", 0.1), _running(lanes, "c", 0.2)
    for job in (long, older, newer):
        lanes.reached_long(job)
    lanes.finished(long, 2.0, answered=True)
    assert older.long and not older.overdue and newer.overdue


def test_privileged_first_then_light_then_new_then_heavy_clients() -> None:
    lanes = Lanes(long_lane=1, long_seconds=T)
    _make_heavy(lanes, "heavy", 0.0)
    _make_light(lanes, "light", 0.0)
    heavy, light, new, privileged = Job("heavy"), Job("light"), Job("new"), Job("token", privileged=True)
    for job in (heavy, light, new, privileged):
        lanes.wait(job, 1.0)
    assert (heavy.rank, light.rank, new.rank, privileged.rank) == (HEAVY, LIGHT, NEW, PRIVILEGED)
    assert [lanes.next_waiting(1.0) for _ in range(4)] == [privileged, light, new, heavy]
    assert lanes.next_waiting(1.0) is None


def test_within_a_rank_first_come_first_served_until_the_queue_is_overloaded() -> None:
    lanes = Lanes(long_lane=1, long_seconds=T)
    jobs = [Job("a"), Job("b"), Job("c")]
    for job in jobs:
        lanes.wait(job, 0.0)
    assert lanes.next_waiting(0.1) is jobs[0]  # the oldest has waited less than T: in order
    assert lanes.next_waiting(T) is jobs[2]  # it has waited T: newest first
    assert lanes.next_waiting(T) is jobs[1]


def test_privileged_queries_are_always_served_in_order() -> None:
    lanes = Lanes(long_lane=1, long_seconds=T)
    first, second = Job("t", privileged=True), Job("t", privileged=True)
    lanes.wait(first, 0.0)
    lanes.wait(second, 0.0)
    assert [lanes.next_waiting(10.0), lanes.next_waiting(10.0)] == [first, second]


def test_a_waiting_query_follows_its_clients_rank() -> None:
    lanes = Lanes(long_lane=1, long_seconds=T)
    running = _running(lanes, "attacker", 0.0)
    waiting, other = Job("attacker"), Job("newcomer")
    lanes.wait(waiting, 0.0)
    lanes.wait(other, 0.1)
    running.stopping = OVERDUE
    lanes.finished(running, 1.0, answered=False)  # stopped: its client is heavy now, and so is its waiting query
    assert waiting.rank == HEAVY
    assert [lanes.next_waiting(1.0), lanes.next_waiting(1.0)] == [other, waiting]


def test_heavy_clients_wait_while_the_lane_is_full() -> None:
    lanes = Lanes(long_lane=1, long_seconds=T)
    _make_heavy(lanes, "attacker-2", 0.0)
    in_lane = _running(lanes, "attacker-1", 1.0)
    lanes.reached_long(in_lane)
    heavy = Job("attacker-2")
    lanes.wait(heavy, 1.0)
    assert lanes.next_waiting(1.0) is None  # a worker may be idle: it stays for others
    assert lanes.victims(1.0) == []  # nor is anything stopped for it
    lanes.finished(in_lane, 2.0, answered=False, timed_out=True)
    assert lanes.next_waiting(2.0) is heavy


def test_with_one_worker_heavy_clients_are_served_last_but_served() -> None:
    lanes = Lanes(long_lane=0, long_seconds=T)
    _make_heavy(lanes, "attacker", 0.0)
    heavy = Job("attacker")
    lanes.wait(heavy, 1.0)
    assert lanes.next_waiting(1.0) is heavy


def test_a_light_client_makes_room_in_a_heavy_clients_fast_lane_query() -> None:
    lanes = Lanes(long_lane=2, long_seconds=T)
    _make_heavy(lanes, "attacker", 0.0)
    in_lane = _running(lanes, "attacker", 1.0)
    lanes.reached_long(in_lane)  # holds a place in the lane: never stopped to make room
    fast_lane = _running(lanes, "attacker", 1.0)  # the lane had room when it started; not yet at T
    lanes.wait(Job("newcomer"), 1.1)  # a new client waits for T at most: nothing stopped for it
    assert lanes.victims(1.1) == []
    _make_light(lanes, "probe", 1.0)
    lanes.wait(Job("probe"), 1.1)  # a light client's query waits…
    assert lanes.victims(1.1) == [fast_lane] and fast_lane.stopping == MAKE_ROOM
    assert not in_lane.stopping


def test_privileged_queries_are_never_stopped() -> None:
    lanes = Lanes(long_lane=0, long_seconds=T)
    token = _running(lanes, "token", 0.0, privileged=True)
    lanes.reached_long(token)  # past T, no lane: overdue, but privileged
    _make_light(lanes, "probe", 1.0)
    lanes.wait(Job("probe"), 1.1)
    assert token.overdue and lanes.victims(1.1) == []


def test_what_is_known_of_a_client_lasts_a_while() -> None:
    lanes = Lanes(long_lane=1, long_seconds=T)
    _make_heavy(lanes, "a", 0.0)
    assert lanes.rank("a", 1.0) == HEAVY
    assert lanes.rank("a", 1.0 + MEMORY) == NEW
    _make_light(lanes, "b", 0.0)
    assert lanes.rank("b", 0.01) == LIGHT
    assert lanes.rank("b", 0.01 + MEMORY) == NEW
    lanes.finished(_running(lanes, "c", 0.0), 2.0, answered=True)  # answered, after T: tells nothing
    assert lanes.rank("c", 2.0) == NEW
    _make_heavy(lanes, "b", 3.0)  # heavy wins over light
    assert lanes.rank("b", 4.0) == HEAVY


def test_a_waiter_that_gives_up_leaves_the_queue() -> None:
    lanes = Lanes(long_lane=1, long_seconds=T)
    gone, staying = Job("a"), Job("b")
    lanes.wait(gone, 0.0)
    lanes.wait(staying, 0.0)
    lanes.forget(gone)
    assert lanes.waiting == 1 and lanes.next_waiting(0.0) is staying and lanes.waiting == 0
