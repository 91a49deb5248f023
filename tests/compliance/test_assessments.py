"""Assessments as structured data: the IAMA template, the FRIA crosswalk, importing filled-in files into a real
on-disk store (SHACL, PROV-O, atomic commit) and located errors. The filled-in files are the fictitious examples
in examples/assessments/ and small broken copies of them written here."""

import hashlib
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode, Store, Variable
from rdflib import Graph, URIRef

from compliance.assessment_files import AssessmentFileError
from compliance.assessments import AssessmentRejected, Templates, fria_coverage, import_assessments, read_assessment
from compliance.questionnaires import IAMA_PIN, Questionnaire, fria_questionnaire, read_iama
from loader.cli import cli
from loader.store import build_store, current_path, open_store
from tests.conftest import REPO, shared_path

EXAMPLES = REPO / "examples" / "assessments"
IAMA = "urn:nl:aivt:tr:iama:1.0"
AKG = "https://w3id.org/algokg/def#"
ALGORITHM = "https://w3id.org/algokg/id/algorithm/00000001"


@pytest.fixture(scope="module")
def iama_file() -> Path:
    return shared_path("reference", "algoritmekader", "task-registry", "instruments", "iama.yaml")


@pytest.fixture(scope="module")
def templates(iama_file: Path) -> Templates:
    return Templates(read_iama(iama_file))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, templates: Templates) -> tuple[Path, Store]:
    """The example store with every example assessment imported."""
    store_dir = tmp_path_factory.mktemp("assessments-store")
    build_store(store_dir)
    result = import_assessments(store_dir, sorted(EXAMPLES.glob("*.yaml")), templates)
    assert len(result.commit.loaded) == 3 + 6  # three templates, six assessments
    return store_dir, open_store(store_dir)


def _rows(store: Store, query: str, **bind: object) -> list[dict[str, str]]:
    prefixed = f"PREFIX akg: <{AKG}>\nPREFIX dct: <http://purl.org/dc/terms/>\n{query}"
    found = store.query(
        prefixed, substitutions={Variable(k): v for k, v in bind.items()}, use_default_graph_as_union=True
    )
    names = [v.value for v in found.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in found]


def test_iama_template_has_57_questions_with_urns(iama_file: Path) -> None:
    template = read_iama(iama_file)
    assert template.iri == IAMA and len(template.questions) == 57
    urns = [q.iri for q in template.questions]
    assert len(set(urns)) == 57 and all(urn.startswith(f"{IAMA}:") for urn in urns)
    assert template.questions[0].iri == f"{IAMA}:1.1.1" and template.questions[-1].iri == f"{IAMA}:4.7.1"
    assert template.question("1.4.1").topic == "Wettelijke grondslag"
    assert template.question(f"{IAMA}:2.A.2.2") is not None  # the registry's own spelling, kept as is
    # The pin of the download is the file of the pinned task-registry commit.
    assert hashlib.sha256(iama_file.read_bytes()).hexdigest() == IAMA_PIN.sha256


def test_fria_crosswalk_names_existing_iama_questions_with_reasons(templates: Templates, model_graph: Graph) -> None:
    fria = fria_questionnaire()
    assert [q.key for q in fria.questions] == ["a", "b", "c", "d", "e", "f"] and fria.requires_all_answers
    for element in fria.questions:
        assert element.crosswalk, f"element {element.key} has no IAMA question"
        for target, reason in element.crosswalk:
            assert isinstance(templates.iama, Questionnaire) and templates.iama.question(target), target
            assert len(reason) > 20
        # Grounded in the model's article node of Art 27(1)(x).
        assert (URIRef(element.grounded_in), None, None) in model_graph


def test_examples_are_stored_with_answers_findings_and_provenance(loaded: tuple[Path, Store]) -> None:
    _, store = loaded
    kinds = _rows(
        store,
        """SELECT ?algorithm ?kind (COUNT(DISTINCT ?answer) AS ?answers) WHERE {
             ?algorithm akg:hasAssessment ?a . ?a akg:instrument ?kind ; akg:usesTemplate ?template .
             OPTIONAL { ?a akg:hasAnswer ?answer . ?answer akg:answersQuestion ?q . ?template akg:hasQuestion ?q }
           } GROUP BY ?algorithm ?kind ORDER BY ?kind""",
        algorithm=NamedNode(ALGORITHM),
    )
    instrument = "https://w3id.org/algokg/id/assessment-instrument/"
    # Every answer of the IAMA (17), FRIA (6 elements) and children's-rights assessment (10 principles) answers
    # a question of its template.
    assert [(row["kind"], row["answers"]) for row in kinds] == [
        (f"{instrument}fria", "6"),
        (f"{instrument}iama", "17"),
        (f"{instrument}kinderrechtentoets", "10"),
    ]
    finding = _rows(
        store,
        """SELECT ?severity (COUNT(DISTINCT ?m) AS ?mitigations) (COUNT(DISTINCT ?answer) AS ?answers) WHERE {
             ?a akg:instrument <https://w3id.org/algokg/id/assessment-instrument/iama> ; akg:hasFinding ?f .
             ?f akg:affects <https://w3id.org/dpv/rights/eu#A21-NonDiscrimination> , <https://w3id.org/algokg/id/codio/non-discriminatie> ;
                akg:severity ?severity ; akg:hasMitigation ?m ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?answer .
           } GROUP BY ?severity""",
    )
    assert finding == [{"severity": "https://w3id.org/dpv/risk#ModerateSeverity", "mitigations": "2", "answers": "2"}]
    bias = _rows(
        store,
        """SELECT ?metric ?result ?tool (COUNT(?group) AS ?groups) WHERE {
             ?b a akg:BiasTest ; akg:fairnessMetric ?metric ; akg:testResult ?result ; akg:testTool ?tool ;
                akg:testMethod ?method ; akg:comparedGroup ?group ; akg:assessmentDate ?date .
           } GROUP BY ?metric ?result ?tool""",
    )
    assert bias == [
        {
            "metric": "demographic parity difference",
            "result": "0.03 (drempel 0.05)",
            "tool": "Fairlearn 0.10 (fictief gebruik)",
            "groups": "2",
        }
    ]
    digest = hashlib.sha256((EXAMPLES / "iama.yaml").read_bytes()).hexdigest()
    provenance = _rows(
        store,
        """SELECT ?sha ?title ?activity WHERE {
             ?a akg:instrument <https://w3id.org/algokg/id/assessment-instrument/iama> ;
                <http://www.w3.org/ns/prov#wasDerivedFrom> ?graph .
             ?graph akg:sha256 ?sha ; dct:title ?title ; <http://www.w3.org/ns/prov#wasGeneratedBy> ?activity .
           }""",
        sha=Literal(digest),
    )
    assert [row["title"] for row in provenance] == ["iama.yaml"]
    crosswalk = _rows(
        store,
        "SELECT ?q WHERE { <https://w3id.org/algokg/id/questionnaire/fria-art-27-1/b> akg:crosswalkedTo ?q }",
    )
    assert crosswalk == [{"q": f"{IAMA}:3.5.1"}]


def test_loading_the_same_files_again_changes_nothing(loaded: tuple[Path, Store], templates: Templates) -> None:
    store_dir, _ = loaded
    before = current_path(store_dir).resolve()
    again = import_assessments(store_dir, [EXAMPLES / "bias-test.yaml"], templates)
    assert again.commit.generation is None and current_path(store_dir).resolve() == before


def test_fria_coverage_of_a_partial_iama(tmp_path: Path, templates: Templates) -> None:
    document = yaml.safe_load((EXAMPLES / "iama.yaml").read_text(encoding="utf-8"))
    document["answers"] = [a for a in document["answers"] if a["question"] not in ("3.5.1", "3.2.2")]
    document["findings"] = []
    path = tmp_path / "partial.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    coverage = fria_coverage(read_assessment(path, templates))
    assert coverage["b"] == ([], [f"{IAMA}:3.5.1"])
    assert coverage["e"] == ([f"{IAMA}:3.2.1"], [f"{IAMA}:3.2.2"])
    assert coverage["a"][1] == []


def _broken(tmp_path: Path, name: str, change: dict[str, object], suffix: str = ".yaml") -> Path:
    document = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    document.update(change)
    path = tmp_path / f"broken{suffix}"
    text = json.dumps(document, default=str) if suffix == ".json" else yaml.safe_dump(document, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_located_errors(tmp_path: Path, templates: Templates) -> None:
    wrong_urn = _broken(tmp_path, "iama.yaml", {"answers": [{"question": "1.4.2", "answer": "x"}], "findings": []})
    with pytest.raises(AssessmentFileError) as error:
        read_assessment(wrong_urn, templates)
    [problem] = error.value.problems
    assert problem.where == "answers[0].question"
    assert "one of the 57 questions of urn:nl:aivt:tr:iama:1.0" in problem.message and "nearest" in problem.message

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "kind: dpia\nalgorithm: '00000001'\nperformed_by: X\ndate: 2025-01-01\nfindings:\n"
        "  - description: d\n    affects: [codio:privacyy]\n    severity: serious\n",
        encoding="utf-8",
    )
    with pytest.raises(AssessmentFileError) as error:
        read_assessment(bad, templates)
    [problem] = error.value.problems
    assert (problem.where, problem.line) == ("findings[0].severity", 8)
    assert "expected 'very-low', 'low', 'moderate', 'high' or 'very-high', found 'serious'" in problem.message
    bad.write_text(bad.read_text(encoding="utf-8").replace("serious", "high"), encoding="utf-8")
    with pytest.raises(AssessmentFileError, match="nearest: codio:privacy"):
        read_assessment(bad, templates)

    as_json = _broken(tmp_path, "bias-test.yaml", {"groups": ["alleen een groep"], "colour": "red"}, ".json")
    with pytest.raises(AssessmentFileError) as error:
        read_assessment(as_json, templates)
    assert [p.where for p in error.value.problems] == ["colour"]
    del_extra = _broken(tmp_path, "bias-test.yaml", {"groups": ["alleen een groep"]}, ".json")
    with pytest.raises(AssessmentFileError, match="at least two compared groups"):
        read_assessment(del_extra, templates)


def test_shacl_rejects_an_incomplete_fria_and_writes_nothing(
    loaded: tuple[Path, Store], tmp_path: Path, templates: Templates
) -> None:
    store_dir, _ = loaded
    document = yaml.safe_load((EXAMPLES / "fria.yaml").read_text(encoding="utf-8"))
    del document["elements"]["e"]  # Art 27(1)(e): human oversight
    path = tmp_path / "fria-incomplete.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    before = current_path(store_dir).resolve()
    with pytest.raises(AssessmentRejected, match=r"question .*fria-art-27-1/e is not answered") as error:
        import_assessments(store_dir, [path], templates)
    assert error.value.report is not None and not error.value.report.conforms
    assert current_path(store_dir).resolve() == before

    unknown = _broken(tmp_path, "cio-oordeel.yaml", {"algorithm": "99999999"})
    with pytest.raises(AssessmentRejected, match="algorithm 99999999 is not in the store"):
        import_assessments(store_dir, [unknown], Templates(None))


def test_cli(loaded: tuple[Path, Store], iama_file: Path, tmp_path: Path) -> None:
    store_dir, _ = loaded
    runner = CliRunner()
    args = ["assess", "--store", str(store_dir), "--iama-template", str(iama_file), "--json"]
    result = runner.invoke(cli, [*args, str(EXAMPLES / "iama.yaml")])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["stored"] is False and row["answers"] == 17 and row["fria_coverage"]["b"]["open"] == []

    wrong = _broken(tmp_path, "dpia.yaml", {"date": "gisteren"})
    result = runner.invoke(cli, ["assess", "--store", str(store_dir), str(wrong)])
    assert result.exit_code == 2 and "date" in result.output
