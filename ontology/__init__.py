"""The algokg model as files: the ontology, its concept schemes and the reference law.

The Turtle files beside this module are the source of truth; this module only says where
they are, so the loader, the API and the tests read the same files.
"""

from importlib.resources import files
from pathlib import Path

__all__ = ["ONTOLOGY_FILE", "law_files", "model_files", "register_files", "scheme_files"]

_HERE = Path(str(files(__name__)))

ONTOLOGY_FILE = _HERE / "algokg.ttl"


def scheme_files() -> list[Path]:
    """The SKOS concept schemes, sorted by file name."""
    return sorted((_HERE / "schemes").glob("*.ttl"))


def law_files() -> list[Path]:
    """The reference legal data (acts, articles, applicability, obligations)."""
    return sorted((_HERE / "law").glob("*.ttl"))


def register_files() -> list[Path]:
    """The registers as catalogues with their jurisdictions, and the countries they name."""
    return sorted((_HERE / "registers").glob("*.ttl"))


def model_files() -> list[Path]:
    """Every file of the model: ontology first, then schemes, then law, then registers."""
    return [ONTOLOGY_FILE, *scheme_files(), *law_files(), *register_files()]
