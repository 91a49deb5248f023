"""The benchmark's synthetic register: deterministic, and loadable by the real pipeline."""

from pathlib import Path

from benchmarks.generate import generate
from loader.pipeline import load_paths
from loader.stats import store_stats
from loader.store import open_store
from tests.conftest import REPO, shared_path


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    first, second = generate(40, tmp_path / "a.csv"), generate(40, tmp_path / "b.csv")
    assert first.read_bytes() == second.read_bytes()
    assert generate(40, tmp_path / "c.csv", seed=1).read_bytes() != first.read_bytes()


def test_a_generated_register_loads(tmp_path: Path) -> None:
    export = generate(200, tmp_path / "register-200.csv")
    report = load_paths(tmp_path / "store", [export], run_validation=False)
    source = report.sources[0]
    assert (source.records, source.algorithms) == (200, 200)
    assert source.law_links == source.law_links_resolved > 200
    stats = store_stats(open_store(tmp_path / "store"))
    assert stats["registrations"] == 200 and stats["organisations_tooi"] > 0


def test_http_benchmark_smoke(tmp_path: Path) -> None:
    """A tiny run of `benchmarks.http`: both servers answer the same queries, without errors, and a ratio comes out."""
    from benchmarks.http import main

    result = main(["--size", "30", "--clients", "2", "--duration", "0.3", "--warmup", "0.1", "--work", str(tmp_path)])
    rows = result["results"]
    assert isinstance(rows, dict)
    assert set(rows) == {"point lookup", "selective join", "aggregate", "CONSTRUCT", "mix"}
    for row in rows.values():
        assert row["oxigraph_errors"] == row["algokg_errors"] == 0
        assert row["oxigraph_rps"] > 0 and row["algokg_rps"] > 0 and row["ratio"] > 0


def test_rest_benchmark_smoke(tmp_path: Path) -> None:
    """A tiny run of `benchmarks.rest`: every template answers, its queries run raw and a ratio comes out."""
    from benchmarks.rest import main

    argv = ["--size", "30", "--urls", "2", "--clients", "2", "--duration", "0.3", "--repeat", "1"]
    result = main([*argv, "--warm-repeat", "1", "--work", str(tmp_path)])
    rows = result["results"]
    assert isinstance(rows, dict)
    assert {"list", "list facets", "detail", "law view", "organisation view", "search (fts)", "laws"} <= set(rows)
    for name, row in rows.items():
        assert row["concurrent_errors"] == 0 and row["concurrent_rps"] > 0, name
        assert row["cold_p50_ms"] > 0 and row["warm_p50_ms"] > 0, name
    assert rows["list facets"]["queries_per_answer"] >= 10  # count, page and every facet, from ?explain=sparql
    assert rows["detail"]["ratio"] > 0 and result["geometric_mean_ratio"]


def test_benchmark_runner_smoke(tmp_path: Path) -> None:
    """A tiny `benchmarks.run`: every benchmark runs against its baseline, one table, and the JSON is written."""
    import json

    from benchmarks import http_floor
    from benchmarks.run import main

    target = tmp_path / "results.json"
    document = main(["--sizes", "30", "--quick", "--duration", "0.3", "--work", str(tmp_path), "--json", str(target)])
    assert json.loads(target.read_text(encoding="utf-8"))["table"] == document["table"]
    rows = document["table"]
    assert isinstance(rows, list)
    shared = REPO.parent / "shared"
    samples = {"fidelity"} if (shared / "samples").is_dir() else set()
    samples |= {"registers"} if (shared / "reference" / "other-registers").is_dir() else set()
    assert {row["benchmark"] for row in rows} == {"load", "validation", "rest", "http", "layers"} | samples
    layers = {row["case"] for row in rows if row["benchmark"] == "layers"}  # quick: two kinds, every layer
    assert layers == {f"{kind}: {layer}" for kind in ("point lookup", "mix") for layer in http_floor.SERVERS[1:]}
    assert all(row["ratio"] > 0 for row in rows if row["benchmark"] == "layers")
    load = [row for row in rows if row["benchmark"] == "load"]
    assert len(load) == 2 and all(row["ratio"] > 0 and row["baseline"] > 0 for row in load)  # validation off and on
    assert all(row["ours"] > 0 for row in rows if row["benchmark"] == "validation")
    means = {row["benchmark"]: row["ratio"] for row in rows if row["case"] == "geometric mean"}
    assert means.keys() == {"rest", "http"} and all(ratio > 0 for ratio in means.values())


def test_fidelity_runner_reports_every_family_in_one_table(tmp_path: Path) -> None:
    """`make fidelity`: each family's rows carry the agreed keys, the table prints them and the JSON holds them."""
    import json

    from benchmarks.fidelity import KEYS, main

    target = tmp_path / "fidelity.json"
    document = main(["--shared", str(shared_path()), "--json", str(target)])
    rows = document["rows"]
    assert isinstance(rows, list) and json.loads(target.read_text(encoding="utf-8"))["rows"] == rows
    assert all(set(KEYS) <= set(row) for row in rows)
    assert {row["field"] for row in rows} >= {
        "organisation → TOOI", "organisation type", "assessment status", "declared AI Act category"
    }  # fmt: skip


def test_benchmark_runner_records_the_machine_and_pins_cores(tmp_path: Path) -> None:
    """`benchmarks.run --cores 1`: the run (a child process, so this one stays unpinned) sees one CPU, and the
    JSON and table carry cores, affinity and load averages; more cores than the process may use is refused."""
    import json
    import os
    import subprocess
    import sys

    target = tmp_path / "results.json"
    command = [sys.executable, "-m", "benchmarks.run", "--sizes", "20", "--quick", "--only", "validation"]
    done = subprocess.run(
        [*command, "--cores", "1", "--work", str(tmp_path), "--json", str(target)],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["cores"] == 1
    for state in (document["at_start"], document["at_end"]):
        assert state["cores"] == os.cpu_count() and state["usable_cores"] == len(state["affinity"]) == 1
        assert len(state["load_average"]) == 3 and all(value >= 0 for value in state["load_average"])
    assert document["table"] and all(row["load"] >= 0 for row in document["table"])
    assert "machine: " in done.stdout and "(1 usable), load " in done.stdout
    assert len(os.sched_getaffinity(0)) >= 1  # this process untouched
    too_many = subprocess.run(
        [*command, "--cores", str(len(os.sched_getaffinity(0)) + 1), "--json", ""],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert too_many.returncode == 2 and "--cores" in too_many.stderr


def test_restricting_cores_pins_threads_already_running() -> None:
    """`machine.restrict_cores` pins every thread the process has (sched_setaffinity(0) alone pins one), in a
    child process so the test run keeps its CPUs."""
    import subprocess
    import sys

    script = (
        "import os, threading, time\n"
        "from benchmarks import machine\n"
        "seen = []\n"
        "go = threading.Event()\n"
        "def worker():\n"
        "    go.wait(); seen.append(sorted(os.sched_getaffinity(0)))\n"
        "thread = threading.Thread(target=worker); thread.start()\n"
        "chosen = machine.restrict_cores(1); go.set(); thread.join()\n"
        "assert seen == [chosen] and sorted(os.sched_getaffinity(0)) == chosen, (seen, chosen)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
