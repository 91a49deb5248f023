"""The `algokg` command line: thin commands, each calling one library function.

Exit codes of `load` and `harvest`: 0 loaded (or nothing new), 1 rejected by --strict,
2 unreadable input, 3 the store could not be written. Nothing is written unless the exit code is 0.
"""

import dataclasses
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from loader.errors import AlgokgError, StoreError
from loader.store import build_store, current_path, open_store
from shapes import PROFILES

if TYPE_CHECKING:
    from loader.pipeline import LoadReport
    from loader.remote import RemoteStore

DEFAULT_STORE = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "algokg" / "store"
REGISTER_FORMATS = ["csv", "json", "site-data", "standard-json", "scrape", "testdata-v0.1"]
RDF_INPUT_FORMATS = ["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]
EXIT_REJECTED, EXIT_UNREADABLE, EXIT_STORE = 1, 2, 3

store_option = click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ALGOKG_STORE",
    default=DEFAULT_STORE,
    show_default=True,
    help="Store directory (or set ALGOKG_STORE).",
)


validator_option = click.option(
    "--validator",
    type=click.Choice(["sparql", "pyshacl"]),
    default="sparql",
    show_default=True,
    help="SHACL engine: the shapes compiled to SPARQL on pyoxigraph, or pyshacl (the reference; slower).",
)
remote_option = click.option(
    "--remote",
    envvar="ALGOKG_REMOTE",
    help="SPARQL query endpoint of a remote store (Oxigraph server, Virtuoso, …), e.g. http://127.0.0.1:7878/query"
    " (or set ALGOKG_REMOTE; its update and Graph Store endpoints: ALGOKG_REMOTE_UPDATE, ALGOKG_REMOTE_STORE).",
)


def _remote_store(url: str) -> "RemoteStore":
    from loader.remote import RemoteStore

    return RemoteStore(
        url, update_url=os.environ.get("ALGOKG_REMOTE_UPDATE"), store_url=os.environ.get("ALGOKG_REMOTE_STORE")
    )


def _check_remote(url: str) -> None:
    remote = _remote_store(url)
    try:
        state = remote.control(timeout=10)
    finally:
        remote.close()
    if state.version is None:
        click.echo(f"warning: nothing published to {url} yet; run `algokg publish` (queries answer 503 until then)")


def _fail(error: AlgokgError, code: int | None = None) -> None:
    """Print the located error and exit: 1 rejected by --strict, 2 unreadable input, 3 store failure."""
    from loader.pipeline import LoadRejected

    if code is None:
        code = (
            EXIT_REJECTED
            if isinstance(error, LoadRejected)
            else EXIT_STORE
            if isinstance(error, StoreError)
            else EXIT_UNREADABLE
        )
    click.echo(f"error: {error}", err=True)
    sys.exit(code)


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """algokg: a knowledge graph of government algorithms."""
    ctx.with_resource(_without_literal_tracebacks())


@contextmanager
def _without_literal_tracebacks() -> Iterator[None]:
    """rdflib logs a warning with a traceback for every ill-typed literal it reads ("abc"^^xsd:integer): not a
    failure (the SHACL report names such values), so no traceback is printed for it while a command runs."""
    logger = logging.getLogger("rdflib.term")
    noise = _LiteralConversionNoise()
    logger.addFilter(noise)
    try:
        yield
    finally:
        logger.removeFilter(noise)


class _LiteralConversionNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form to value")


@cli.command()
@store_option
def init(store_dir: Path) -> None:
    """Build the store afresh: the model and the EXAMPLE dataset (atomic)."""
    try:
        generation = build_store(store_dir)
    except AlgokgError as error:
        _fail(error, EXIT_STORE)
    click.echo(f"store built at {generation}")


@cli.command()
@store_option
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "input_format",
    type=click.Choice(["auto", *REGISTER_FORMATS, *RDF_INPUT_FORMATS]),
    default="auto",
    show_default=True,
    help="Input format; auto: from the extension (and, for .json, the document's shape).",
)
@click.option(
    "--language",
    type=click.Choice(["NLD", "ENG"]),
    help="Language of a CSV export (default: from the file name or its values).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Reject the load if any record has a SHACL violation or a value that could not be reconciled.",
)
@click.option("--no-validate", "skip_validation", is_flag=True, help="Skip SHACL validation (for very large loads).")
@click.option(
    "--organisations",
    "organisation_lists",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An extra organisation list (register CSV name;identifier;org_id, or a TOOI JSON-LD value list). Repeatable.",
)
@click.option(
    "--translations",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The register's translation_spec_en.json (English organisation names).",
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the validation report to this file.",
)
@click.option(
    "--report-format", type=click.Choice(["text", "json", "csv", "turtle"]), default="text", show_default=True
)
@click.option("--report-language", type=click.Choice(["nl", "en"]), default="en", show_default=True)
@click.option("--source-url", help="Where the files were downloaded from (recorded in their provenance).")
@validator_option
def load(
    store_dir: Path,
    sources: tuple[Path, ...],
    input_format: str | None,
    language: str | None,
    strict: bool,
    skip_validation: bool,
    organisation_lists: tuple[Path, ...],
    translations: Path | None,
    report_file: Path | None,
    report_format: str,
    report_language: str,
    source_url: str | None,
    validator: str,
) -> None:
    """Load register exports, JSON records or RDF files into the store, atomically."""
    from loader.pipeline import LoadRejected, load_paths
    from loader.reference import reference_data

    try:
        reference = reference_data(list(organisation_lists), translations=translations)
        report = load_paths(
            store_dir,
            list(sources),
            input_format=None if input_format == "auto" else input_format,
            language=language,
            strict=strict,
            run_validation=not skip_validation,
            reference=reference,
            source_url=source_url,
            progress=_progress if sys.stderr.isatty() else None,
            validator=validator,
        )
    except LoadRejected as rejected:
        _write_report(rejected.report, report_file, report_format, report_language)
        _fail(rejected)
    except AlgokgError as error:
        _fail(error)
    _write_report(report, report_file, report_format, report_language)
    for source in report.sources:
        if source.skipped:
            click.echo(f"{source.name}: already loaded (same sha256), nothing changed")
            continue
        click.echo(
            f"{source.name}: {source.records} records, {source.quads} triples; organisations reconciled "
            f"{source.organisations_matched}/{source.organisations}; law links resolved "
            f"{source.law_links_resolved}/{source.law_links}; {source.violations} violations; "
            f"{len(source.findings)} findings"
        )
        for item in source.findings:
            if item.severity != "info":
                click.echo(f"  {item}")
    click.echo(f"loaded in {report.seconds:.1f} s into {store_dir}")


def _first_store(store_dir: Path, *, offline: bool) -> None:
    from loader.harvest import REGISTER_BASE_URL, harvest_and_load, network_available

    if not offline and network_available(REGISTER_BASE_URL):
        click.echo(f"no store at {store_dir}: harvesting the live register from {REGISTER_BASE_URL}")
        try:
            harvest_and_load(store_dir)
            return
        except AlgokgError as error:
            click.echo(f"warning: harvest failed ({error}); using the EXAMPLE dataset instead", err=True)
    click.echo(f"no store at {store_dir}: building it with the model and the EXAMPLE dataset (fictitious data)")
    build_store(store_dir)


def _progress(name: str, done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    click.echo(f"\r{name}: [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", err=True, nl=done >= total)


def _write_report(report: "LoadReport", report_file: Path | None, report_format: str, language: str) -> None:
    from loader.report import merge, render

    if report_file is not None:
        parts = [source.validation for source in report.sources if source.validation is not None]
        report_file.write_text(render(merge(parts), report_format, language=language), encoding="utf-8")


@cli.command()
@store_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object (stable keys).")
def stats(store_dir: Path, as_json: bool) -> None:
    """What the store holds: algorithms, registrations, organisations, law links, assessments, violations, fidelity."""
    from loader.stats import store_stats

    try:
        numbers = store_stats(open_store(store_dir))
    except AlgokgError as error:
        _fail(error, EXIT_STORE)
    if as_json:
        click.echo(json.dumps(numbers, sort_keys=True))
        return
    for key, value in numbers.items():
        click.echo(f"{key:>24}  {value}")


@cli.command()
@store_option
@click.argument("algorithm_id")
def history(store_dir: Path, algorithm_id: str) -> None:
    """The registrations of one algorithm, oldest first, with what changed in each."""
    from loader.history import history as versions_of

    try:
        versions = versions_of(open_store(store_dir), algorithm_id)
    except AlgokgError as error:
        _fail(error, EXIT_STORE)
    if not versions:
        click.echo(f"no registrations of algorithm {algorithm_id}", err=True)
        sys.exit(1)
    for version in versions:
        click.echo(
            f"{version.first_seen}  {version.language or '-'}  standard {version.standard_version or '-'}  "
            f"{version.registration}  ({version.files})"
        )
        for key, (removed, added) in version.changes.items():
            for value in removed:
                click.echo(f"    - {key}: {value[:200]}")
            for value in added:
                click.echo(f"    + {key}: {value[:200]}")


@cli.command()
@store_option
@click.argument("query")
@click.option(
    "--format",
    "result_format",
    type=click.Choice(["csv", "tsv", "json", "xml", "turtle", "ntriples"]),
    default="csv",
    show_default=True,
)
def query(store_dir: Path, query: str, result_format: str) -> None:
    """Run a SPARQL query (text, or @file.rq) over the union of all graphs."""
    from loader.query import run_query

    text = Path(query[1:]).read_text(encoding="utf-8") if query.startswith("@") else query
    try:
        sys.stdout.buffer.write(run_query(open_store(store_dir), text, result_format))
    except AlgokgError as error:
        _fail(error, EXIT_UNREADABLE)


@cli.command()
@store_option
@click.option(
    "--format",
    "export_format",
    type=click.Choice(["nquads", "trig", "turtle", "jsonld", "csv"]),
    default="nquads",
    show_default=True,
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
def export(store_dir: Path, export_format: str, output: Path | None) -> None:
    """Export the graph: every named graph (N-Quads, TriG), the union (Turtle, JSON-LD) or algorithms as CSV."""
    from loader.export import export_store

    try:
        data = export_store(open_store(store_dir), export_format)
    except AlgokgError as error:
        _fail(error, EXIT_STORE)
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


@cli.command()
@store_option
@click.option(
    "--profile",
    "profiles",
    multiple=True,
    type=click.Choice(PROFILES),
    help="SHACL profile(s) to check (default: integrity and the register profiles).",
)
@click.option(
    "--format", "report_format", type=click.Choice(["text", "json", "csv", "turtle"]), default="text", show_default=True
)
@click.option("--language", type=click.Choice(["nl", "en"]), default="en", show_default=True)
@validator_option
def validate(store_dir: Path, profiles: tuple[str, ...], report_format: str, language: str, validator: str) -> None:
    """Validate the loaded data in the store against the SHACL profiles; exit 1 on violations."""
    from loader.report import render
    from loader.validation import DEFAULT_PROFILES, validate_store

    try:
        # In place on the store (its model graphs as background); pyshacl gets its data as an rdflib graph.
        result = validate_store(open_store(store_dir), profiles=list(profiles) or DEFAULT_PROFILES, engine=validator)
    except AlgokgError as error:
        _fail(error, EXIT_STORE)
    click.echo(render(result, report_format, language=language))
    sys.exit(0 if result.conforms else 1)


@cli.command()
@store_option
@click.option("--url", "base_url", help="Base URL of the register (default: the live register).")
@click.option(
    "--language",
    "languages",
    multiple=True,
    type=click.Choice(["NLD", "ENG"]),
    help="Exports to fetch (default: both).",
)
@click.option("--refresh", is_flag=True, help="Download again even if today's copy is cached.")
@click.option("--strict", is_flag=True)
def harvest(store_dir: Path, base_url: str | None, languages: tuple[str, ...], refresh: bool, strict: bool) -> None:
    """Download the live register's exports and the TOOI lists, then load the exports."""
    from loader.harvest import harvest_and_load

    try:
        report = harvest_and_load(
            store_dir, base_url=base_url, languages=languages or None, refresh=refresh, strict=strict
        )
    except AlgokgError as error:
        _fail(error)
    for problem in report.problems:
        click.echo(f"warning: {problem}", err=True)
    for source in report.sources:
        click.echo(f"{source.name}: {source.records} records{' (already loaded)' if source.skipped else ''}")


@cli.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--offline", is_flag=True, help="Without a store, start from the EXAMPLE dataset even if the register is reachable."
)
@click.option(
    "--query-timeout", type=click.FloatRange(min=0, min_open=True), help="Default query deadline, seconds [30]."
)
@click.option(
    "--max-query-timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Longest deadline a client may ask for with `timeout`, seconds [300].",
)
@click.option(
    "--workers",
    "query_workers",
    type=click.IntRange(min=1),
    help="Query worker processes (each killable at its deadline) [2]; the HTTP server stays one process.",
)
@remote_option
def serve(
    store_dir: Path,
    host: str,
    port: int,
    offline: bool,
    query_timeout: float | None,
    max_query_timeout: float | None,
    query_workers: int | None,
    remote: str | None,
) -> None:
    """Serve the graph over SPARQL. Without a store, first harvest the live register when it is
    reachable, and otherwise build the store from the EXAMPLE dataset. With --remote, answer from a
    remote store that `algokg publish` fills (the store directory then only holds caches)."""
    from sparql_api import create_app, serving
    from sparql_api.settings import Settings

    try:
        if remote:
            _check_remote(remote)
        else:
            if not current_path(store_dir).exists():
                _first_store(store_dir, offline=offline)
            open_store(store_dir)  # fail here, with a clear message, rather than on the first request
    except AlgokgError as error:
        _fail(error, EXIT_STORE)
    # ALGOKG_PUBLIC_BASE (behind a proxy) wins over the address the server binds to.
    bound = None if os.environ.get("ALGOKG_PUBLIC_BASE") else f"http://{host}:{port}"
    try:
        settings = Settings.from_environment(
            store_dir,
            public_base=bound,
            query_timeout=query_timeout,
            max_query_timeout=max_query_timeout,
            query_workers=query_workers,
            remote=remote,
        )
    except ValueError as error:  # an ALGOKG_* variable that does not parse: say which, exit 2
        raise click.UsageError(str(error)) from None
    try:
        app = create_app(settings)
    except AlgokgError as error:  # a setting that cannot hold, e.g. an ALGOKG_SERVICE_ALLOW entry on this machine
        _fail(error, EXIT_UNREADABLE)
    click.echo(f"serving {remote or store_dir} on http://{host}:{port}/sparql")
    serving.serve(app, settings, host=host, port=port)  # uvicorn, with header and shutdown bounds


@cli.command()
@store_option
@click.argument("remote", envvar="ALGOKG_REMOTE")
@click.option("--json", "as_json", is_flag=True, help="Print what was sent as JSON.")
def publish(store_dir: Path, remote: str, as_json: bool) -> None:
    """Make the remote store at REMOTE (its SPARQL query endpoint) hold the store's current generation,
    sending only the graphs that changed (one transaction on Oxigraph; see `loader.publish`)."""
    from loader.publish import publish as publish_generation

    try:
        target = _remote_store(remote)
        try:
            result = publish_generation(store_dir, target)
        finally:
            target.close()
    except AlgokgError as error:
        _fail(error, EXIT_STORE)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(result), indent=2))
        return
    click.echo(
        f"{remote} ({target.dialect.name}) now answers from {result.version}: {len(result.sent)} graphs sent "
        f"({result.triples} triples), {len(result.dropped)} dropped, {result.unchanged} unchanged, "
        f"{result.seconds:.1f} s"
    )


@cli.command()
@store_option
@click.option(
    "--index", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="An Algoritmekader index JSON."
)
@click.option(
    "--archive",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A tar.gz of the Algoritmekader repository (default: the pinned commit, downloaded once and cached).",
)
@click.option("--norms", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="maatregelen-adr-ark.csv.")
@click.option(
    "--tree", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="The AI Act decision tree YAML."
)
@click.option("--refresh", is_flag=True, help="Download the pinned archive again.")
def kader(
    store_dir: Path, index: Path | None, archive: Path | None, norms: Path | None, tree: Path | None, refresh: bool
) -> None:
    """Load the Algoritmekader (requirements, measures, instruments) and the AI Act decision tree into the store."""
    from compliance.algoritmekader import load_kader

    try:
        done = load_kader(store_dir, index=index, archive=archive, norms=norms, tree=tree, refresh=refresh)
    except AlgokgError as error:
        _fail(error)
    for line in done.report.lines():
        click.echo(f"note: {line}", err=True)
    state = "loaded" if done.loaded else "already loaded"
    click.echo(
        f"Algoritmekader {state}: {done.requirements} requirements, {done.measures} measures, "
        f"{done.instruments} instruments; {len(done.report.unresolved)} citations not linked to an article"
    )


@cli.command()
@store_option
@click.argument("algorithm_id")
@click.option(
    "--answers",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="The answers (YAML or JSON): answered_by, answered_at, organisation, answers.",
)
@click.option(
    "--tree",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="ALGOKG_DECISION_TREE",
    help="The AI Act decision tree YAML (or set ALGOKG_DECISION_TREE); default: the published tree at a pinned "
    "commit, downloaded once into the cache.",
)
@click.option("--language", type=click.Choice(["en", "nl"]), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def classify(
    store_dir: Path, algorithm_id: str, answers: Path, tree: Path | None, language: str, as_json: bool
) -> None:
    """Run the AI Act decision tree on ALGORITHM_ID's answers and store the classification (atomic): the conclusion
    and its meaning, the category, the roles and who holds them, every answer as written, the labels explained.
    The answers file is read strictly: a repeated key, an unquoted question id (2.10 is read as 2.1), an unknown
    question or an answer the question does not offer is a located error (exit 2) and nothing is stored."""
    from compliance.answer_files import AnswerFileError
    from compliance.classification import classify_and_store
    from compliance.decision_tree import pinned_tree
    from compliance.outcome import outcome_summary, outcome_text

    try:
        tree = tree if tree is not None else pinned_tree()
        summary = outcome_summary(classify_and_store(store_dir, algorithm_id, answers, tree), language)
    except AnswerFileError as error:
        click.echo(f"error: {error.details()}", err=True)
        sys.exit(EXIT_UNREADABLE)
    except AlgokgError as error:
        _fail(error)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo(outcome_text(summary))


@cli.command()
@store_option
@click.argument("algorithm_id")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only obligations applying on this day.")
@click.option("--language", type=click.Choice(["en", "nl"]), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object (stable keys).")
def obligations(store_dir: Path, algorithm_id: str, on: datetime | None, language: str, as_json: bool) -> None:
    """The AI Act obligations of an algorithm (register id or IRI): its AI Act position and its basis (its newest
    classification wins over what is declared), who owes each obligation, the articles it rests on and the one date
    it applies from, with the dates behind it (original and amended, each with its source) and notes."""
    from compliance.obligations import algorithm_facts, obligations_for
    from compliance.views import obligations_json, obligations_text

    day = on.date() if on else None
    try:
        store = open_store(store_dir)
        facts = algorithm_facts(store, algorithm_id)
        found = obligations_for(store, facts.iri, day, language=language, facts=facts)
    except AlgokgError as error:
        _fail(error, EXIT_STORE if isinstance(error, StoreError) else EXIT_UNREADABLE)
    if as_json:
        click.echo(json.dumps(obligations_json(facts, found, day, language), ensure_ascii=False, sort_keys=True))
        return
    click.echo(obligations_text(facts, found, day, language))


@cli.command()
@store_option
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--iama-template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The task registry's instruments/iama.yaml (default: the pinned download, cached).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file, in a list.")
def assess(store_dir: Path, files: tuple[Path, ...], iama_template: Path | None, as_json: bool) -> None:
    """Store filled-in assessments (IAMA, FRIA, DPIA, kinderrechtentoets, bias test, CIO judgement; YAML or JSON)
    of algorithms in the store, checked against their templates and the `assessments` SHACL profile.
    Exit codes: 0 stored (or nothing new), 1 rejected (SHACL, unknown algorithm), 2 unreadable or invalid file,
    3 the store could not be written. Nothing is written unless the exit code is 0."""
    from compliance.assessment_files import AssessmentFileError
    from compliance.assessments import AssessmentRejected, import_assessments, summary, templates_for

    try:
        result = import_assessments(store_dir, list(files), templates_for(files, iama_template))
    except AssessmentFileError as error:
        click.echo(f"error: {error.details()}", err=True)
        sys.exit(EXIT_UNREADABLE)
    except AssessmentRejected as error:
        for item in error.report.results if error.report else []:
            click.echo(f"{error.path}: {item.severity}: {item.message_en}", err=True)
        _fail(error, EXIT_REJECTED)
    except AlgokgError as error:
        _fail(error)
    rows = summary(result)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, sort_keys=True))
        return
    for row in rows:
        state = "stored" if row["stored"] else "already stored"
        click.echo(f"{state}: {row['file']}: {row['kind']} of {row['algorithm']} as {row['assessment']}")
        for warning in row["warnings"]:
            click.echo(f"    warning: {warning}")
        for key, cover in dict(row.get("fria_coverage") or {}).items():
            click.echo(
                f"    FRIA element ({key}): {len(cover['answered'])} crosswalked IAMA answers, {len(cover['open'])} open"
            )


@cli.command("annex-viii")
@store_option
@click.argument("algorithm_id")
@click.option("--section", type=click.Choice(["b", "c"]), default="c", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["json", "jsonld"]), default="json", show_default=True)
def annex_viii(store_dir: Path, algorithm_id: str, section: str, fmt: str) -> None:
    """The AI Act database registration data of ALGORITHM_ID (Annex VIII section C: public deployers; B: Art 6(3)
    claims), checked against the SHACL profile annex-viii-{b,c}. Exit 1 when the section applies and is incomplete."""
    from compliance.annex_viii import export

    try:
        record = export(open_store(store_dir), algorithm_id, section)
    except AlgokgError as error:
        _fail(error, EXIT_STORE if isinstance(error, StoreError) else EXIT_UNREADABLE)
    payload = record.to_jsonld() if fmt == "jsonld" else record.to_json()
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    for result in record.report.results:
        click.echo(f"{result.severity}: {result.message_en}", err=True)
    if record.applies and not record.valid:
        sys.exit(EXIT_REJECTED)


@cli.command("import-atrs")
@store_option
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--refresh", is_flag=True, help="Download the pinned ATRS records again.")
def import_atrs_command(store_dir: Path, file: Path | None, refresh: bool) -> None:
    """Import the UK ATRS record summaries (FILE, else the pinned download, cached) as organisations, algorithms and
    registrations in their own named graph (atomic)."""
    from compliance.atrs import import_atrs

    try:
        result = import_atrs(store_dir, file, refresh=refresh)
    except AlgokgError as error:
        _fail(error, EXIT_STORE if isinstance(error, StoreError) else EXIT_UNREADABLE)
    state = "loaded" if result.loaded else "already loaded"
    click.echo(
        f"{state}: {result.records} ATRS records, {result.organisations} organisations"
        f" ({result.without_organisation} records name no publishing body)"
    )


def _import_summary(reports: list, loaded: list[str]) -> None:
    for report in reports:
        if report.skipped:
            click.echo(f"{report.name}: already loaded (same sha256), nothing changed")
            continue
        click.echo(
            f"{report.name}: {report.records} records; {report.violations} violations, {report.warnings} warnings;"
            f" {len(report.remarks)} values kept as published"
        )
        for remark in report.remarks:
            click.echo(f"  {remark}")
    click.echo("loaded" if loaded else "already loaded: nothing changed")


@cli.command("import-us-inventory")
@store_option
@click.argument("use_cases", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("cots", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--refresh", is_flag=True, help="Download the pinned files again.")
@click.option("--base-url", help="A mirror of the inventory repository's raw files at the pinned commit.")
@validator_option
def import_us_inventory_command(
    store_dir: Path, use_cases: Path | None, cots: Path | None, refresh: bool, base_url: str | None, validator: str
) -> None:
    """Import the US federal AI use case inventory: USE_CASES (the individually reported use cases CSV) and COTS (the
    consolidated COTS CSV), else the pinned upstream files (cached); one source graph per file, atomic."""
    from loader.importers.us_import import UPSTREAM, import_us_inventory

    try:
        result = import_us_inventory(
            store_dir, use_cases, cots, refresh=refresh, base_url=base_url or UPSTREAM, validator=validator
        )
    except AlgokgError as error:
        _fail(error, EXIT_STORE if isinstance(error, StoreError) else EXIT_UNREADABLE)
    _import_summary(result.reports, result.loaded)


@cli.command("import-ai-watch")
@store_option
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--refresh", is_flag=True, help="Download the pinned files again.")
@click.option("--base-url", help="A mirror of the AI Watch repository's raw files at the pinned commit.")
@validator_option
def import_ai_watch_command(
    store_dir: Path, directory: Path | None, refresh: bool, base_url: str | None, validator: str
) -> None:
    """Import the EU JRC AI Watch inventory from DIRECTORY (laid out as its repository: services.json, catalogs.json,
    src/), else the pinned upstream files (cached): the harmonised services and the registers among its source
    catalogues (Amsterdam, Helsinki), one source graph per file, atomic."""
    from loader.importers.ai_watch_import import UPSTREAM, import_ai_watch

    try:
        result = import_ai_watch(
            store_dir, directory, refresh=refresh, base_url=base_url or UPSTREAM, validator=validator
        )
    except AlgokgError as error:
        _fail(error, EXIT_STORE if isinstance(error, StoreError) else EXIT_UNREADABLE)
    _import_summary(result.reports, result.loaded)


@cli.command("link-registers")
@store_option
@click.option(
    "--reviews",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of reviewed links: from,to,decision[,reviewer,date,note].",
)
def link_registers_command(store_dir: Path, reviews: Path | None) -> None:
    """Find candidate links between registers (the same system in two registers) and replace the links graph."""
    from loader.importers.links import link_registers

    try:
        result = link_registers(store_dir, reviews)
    except AlgokgError as error:
        _fail(error, EXIT_STORE if isinstance(error, StoreError) else EXIT_UNREADABLE)
    click.echo(f"{len(result.candidates)} candidate links ({result.reviewed} reviewed)")


@cli.command()
@store_option
@click.argument("names", nargs=-1)
@click.option("--organisation", help="TOOI IRI, or the organisation name as published (default: all organisations).")
@click.option(
    "--law",
    help="assessment-gaps: only algorithms relying on this law or article or a part of it (IRI or BWB id, e.g. "
    "BWBR0033715); without NAMES, the reports that take a law.",
)
@click.option(
    "--months", type=click.IntRange(1, 120), default=6, show_default=True, help="obligations-due: months ahead."
)
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="obligations-due: reference day (today).")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True
)
@click.option("--language", type=click.Choice(["en", "nl"]), default="en", show_default=True)
@click.option("--sparql", "show_sparql", is_flag=True, help="text: also print the queries and their bound terms.")
def report(
    store_dir: Path,
    names: tuple[str, ...],
    organisation: str | None,
    law: str | None,
    months: int,
    on: datetime | None,
    output_format: str,
    language: str,
    show_sparql: bool,
) -> None:
    """Supervisor reports (all, or NAMES: fria-missing, assessment-gaps, stale-law-links, obligations-due), each
    finding with the SPARQL that produced it. JSON and CSV carry the query texts and bound terms."""
    from compliance.reports import csv_text, render_text, run_reports, store_select

    try:
        found = run_reports(
            store_select(open_store(store_dir)),
            names or None,
            organisation=organisation,
            law=law,
            months=months,
            on=on.date() if on else None,
            language=language,
        )
    except AlgokgError as error:
        _fail(error, EXIT_STORE if isinstance(error, StoreError) else EXIT_UNREADABLE)
    if output_format == "json":
        click.echo(json.dumps([item.to_json(language) for item in found], ensure_ascii=False, indent=2))
    elif output_format == "csv":
        click.echo(csv_text(found), nl=False)
    else:
        click.echo(render_text(found, language=language, sparql=show_sparql), nl=False)


if __name__ == "__main__":
    cli()
