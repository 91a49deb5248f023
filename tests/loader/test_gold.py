"""The shared samples, loaded with no flags and no network, against the hand-annotated gold files in tests/gold/.

`make fidelity` reports the figures; these tests hold the line: every organisation the gold names a TOOI body
for reconciles to exactly that body (precision first: no other IRI, ever), at least 97 % of the records carry a
TOOI IRI, every organisation has a type and no type is wrong, and every assessment status and declared AI Act
category is the one the gold says.
"""

import csv
from pathlib import Path

import pytest

from benchmarks.fidelity_register import ALL, GOLD, measure
from loader.mapping.organisations import type_from_name
from loader.reconcile.organisations import OrganisationMatcher
from loader.reference import reference_data
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> OrganisationMatcher:
    return reference_data(cache_dir=tmp_path_factory.mktemp("empty-cache")).organisations


def _gold(name: str) -> list[dict[str, str]]:
    with (GOLD / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_every_gold_organisation_reconciles_to_its_body_and_no_other(matcher: OrganisationMatcher) -> None:
    shared_path("samples")  # the gold annotates the shared samples: skip with them
    wrong = []
    for row in _gold("organisations.csv"):
        found = matcher.match(row["organisation"])
        if found.iri != (row["tooi_iri"] or None):
            wrong.append(f"{row['organisation']}: {found.iri} ({found.method}), gold {row['tooi_iri'] or 'none'}")
    assert not wrong, "\n".join(wrong)


def test_every_gold_organisation_has_its_type_or_says_it_does_not_know(matcher: OrganisationMatcher) -> None:
    shared_path("samples")
    unknown, wrong = [], []
    for row in _gold("organisations.csv"):
        found = matcher.match(row["organisation"])
        kind = matcher.kind_of(found.iri) if found.iri else type_from_name(row["organisation"], found)
        if kind == "onbekend":
            unknown.append(row["organisation"])
        elif kind != row["type"]:
            wrong.append(f"{row['organisation']}: {kind}, gold {row['type']}")
    assert not wrong, "\n".join(wrong)
    # Foundations whose names do not say so (the gold notes both): unknown, never a guess.
    assert sorted(unknown) == ["ICTU", "Reclassering Nederland"]


@pytest.fixture(scope="module")
def figures() -> dict[tuple[str, str], dict[str, object]]:
    return {(str(row["source"]), str(row["field"])): row for row in measure(shared_path())}


def test_the_samples_with_no_flags_meet_the_gold(figures: dict[tuple[str, str], dict[str, object]]) -> None:
    organisations = figures[(ALL, "organisation → TOOI")]
    assert organisations["fp"] == 0 and organisations["n"] == 274
    assert (int(organisations["tp"]) + int(organisations["fp"])) / 274 >= 0.97  # records with a TOOI IRI
    assert figures[(ALL, "organisation type")]["fp"] == 0
    for field in ("assessment status",):
        assert (figures[(ALL, field)]["fp"], figures[(ALL, field)]["fn"]) == (0, 0), field
    declared = figures[("register_export_v1.0_ENG_sample.csv", "declared AI Act category")]
    assert (declared["tp"], declared["fp"], declared["fn"]) == (5, 0, 0)


def test_the_gold_files_annotate_every_sample_record() -> None:
    samples = shared_path("samples")
    with (samples / "register_export_v1.0_ENG_sample.csv").open(encoding="utf-8-sig", newline="") as handle:
        names = {(Path(handle.name).name, row["organization"]) for row in csv.DictReader(handle)}
    annotated = {(row["source"], row["organisation"]) for row in _gold("organisations.csv")}
    assert names <= annotated
    assert len(_gold("aiact_declared.csv")) == 120
    assert {row["status"] for row in _gold("assessments.csv")} <= {
        "performed", "planned", "not-performed", "not-needed", "unknown"
    }  # fmt: skip
