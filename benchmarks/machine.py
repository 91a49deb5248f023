"""What a benchmark ran on: cores, the CPUs this process may use, and how busy the machine was.

Ratios from two machines (or two runs on a shared one) only compare when these are known: a 2-core box with
another job on it gives half the figures of an idle one. ``restrict_cores`` pins this process (every thread it
has, and every process it starts later) to N CPUs, so a run can be repeated on one core or two anywhere.
"""

import os
from pathlib import Path


def usable_cpus() -> list[int]:
    """The CPUs this process may run on (its affinity, as `taskset -p` shows it)."""
    return sorted(os.sched_getaffinity(0))


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages, rounded."""
    one, five, fifteen = os.getloadavg()
    return round(one, 2), round(five, 2), round(fifteen, 2)


def machine_state() -> dict[str, object]:
    """Cores on the machine, this process's CPU affinity and the load averages, as the JSON records them."""
    cpus = usable_cpus()
    return {
        "cores": os.cpu_count(),
        "affinity": cpus,
        "usable_cores": len(cpus),
        "load_average": list(load_average()),
    }


def describe(state: dict[str, object]) -> str:
    """One line for the table: "2 cores, affinity 0 (1 usable), load 1.02 / 0.80 / 0.51"."""
    one, five, fifteen = state["load_average"]  # type: ignore[misc]
    cpus = ",".join(str(cpu) for cpu in state["affinity"])  # type: ignore[attr-defined]
    return (
        f"{state['cores']} cores, affinity {cpus} ({state['usable_cores']} usable), "
        f"load {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min)"
    )


def restrict_cores(count: int) -> list[int]:
    """Pin this process to ``count`` of the CPUs it may use (the first ones), every thread it has now and every
    thread and process it starts later (they inherit it). Returns the CPUs chosen.

    ``os.sched_setaffinity(0, …)`` changes only the calling thread; threads already started (pyoxigraph's,
    a thread pool's) are pinned one by one through /proc/self/task.

    :raises ValueError: ``count`` is below 1 or more than the CPUs this process may use.
    """
    available = usable_cpus()
    if not 1 <= count <= len(available):
        raise ValueError(f"--cores {count}: this process may use {len(available)} CPU(s) ({available})")
    chosen = available[:count]
    tasks = Path("/proc/self/task")
    threads = [int(entry.name) for entry in tasks.iterdir()] if tasks.is_dir() else [0]
    for thread in threads:
        try:
            os.sched_setaffinity(thread, chosen)
        except ProcessLookupError:  # the thread ended meanwhile
            continue
    os.sched_setaffinity(0, chosen)
    return chosen
