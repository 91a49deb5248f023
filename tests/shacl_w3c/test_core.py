"""The W3C SHACL core tests the compiled validator claims give the expected report (see ``suite.py``).

A test not claimed is skipped with the compiler's reason; ``docs/shacl-conformance.md`` lists them all and
must match what ``python -m tests.shacl_w3c.report`` writes.
"""

import pytest

from tests.shacl_w3c.report import DOC, render
from tests.shacl_w3c.suite import CORE, W3cTest, all_outcomes, core_tests, run

ABSENT = pytest.mark.skip(reason=f"the W3C SHACL test suite is absent: {CORE} (tests read ../shared)")
TESTS = [pytest.param(t, id=t.name) for t in core_tests()] if CORE.exists() else [pytest.param(None, marks=ABSENT)]


@pytest.mark.parametrize("test", TESTS)
def test_w3c_core(test: W3cTest) -> None:
    outcome = run(test)
    if not outcome.claimed:
        pytest.skip(f"not claimed: {outcome.reason}")
    assert outcome.passed, f"{test.name} ({test.label}):\n{outcome.reason}"


def test_suite_is_read() -> None:
    """Not an empty run: the manifests give the whole core section, and most of it is claimed."""
    if not CORE.exists():
        pytest.skip(f"the W3C SHACL test suite is absent: {CORE}")
    outcomes = list(all_outcomes())
    assert len(outcomes) >= 98
    assert sum(o.claimed for o in outcomes) >= 90


def test_conformance_doc_is_current() -> None:
    if not CORE.exists():
        pytest.skip(f"the W3C SHACL test suite is absent: {CORE}")
    written = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert written == render(all_outcomes()), "docs/shacl-conformance.md is stale: python -m tests.shacl_w3c.report"
