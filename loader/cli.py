"""The `algokg` command line: thin commands, each calling one library function."""

import os
from pathlib import Path

import click
import uvicorn

from loader.errors import AlgokgError
from loader.store import build_store, current_path, open_store

DEFAULT_STORE = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "algokg" / "store"

store_option = click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ALGOKG_STORE",
    default=DEFAULT_STORE,
    show_default=True,
    help="Store directory (or set ALGOKG_STORE).",
)


@click.group()
def cli() -> None:
    """algokg: a knowledge graph of government algorithms."""


@cli.command()
@store_option
def init(store_dir: Path) -> None:
    """Build the store afresh: the model and the example dataset (atomic)."""
    try:
        generation = build_store(store_dir)
    except AlgokgError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"store built at {generation}")


@cli.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def serve(store_dir: Path, host: str, port: int) -> None:
    """Serve the graph over SPARQL; builds the store with the example dataset if there is none."""
    from sparql_api import create_app

    try:
        if not current_path(store_dir).exists():
            click.echo(f"no store at {store_dir}: building it with the model and the EXAMPLE dataset")
            build_store(store_dir)
        store = open_store(store_dir)
    except AlgokgError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"serving {store_dir} on http://{host}:{port}/sparql")
    uvicorn.run(create_app(store), host=host, port=port)


if __name__ == "__main__":
    cli()
