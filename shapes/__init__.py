"""SHACL profiles of algokg, each usable on its own.

| profile | checks |
|---|---|
| `integrity` | types, IRI patterns (TOOI, BWB, ELI), links into the known schemes |
| `register-1.0` | the Algoritmeregister publication standard 1.0 |
| `register-legacy` | records of the older standards (0.1, 0.2.3, 0.3.1, 0.4) where they differ |
| `aiact` | AI Act duties: FRIA, Art 6(3) claims, prohibited practices, dated obligations |
| `annex-viii-c` | completeness of the Annex VIII section C registration of public deployers |
| `annex-viii-b` | completeness of the Annex VIII section B registration of Art 6(3) claims by providers |
| `assessments` | assessments as data: answers in the template, complete FRIA and children's-rights assessments, findings, bias tests, CIO judgements |
| `us-inventory` | records of the US federal AI use case inventory against its data dictionary (required columns per stage) |
| `ai-watch` | service records of the AI Watch inventory and its source catalogues against its data schema |
"""

from importlib.resources import files
from pathlib import Path

__all__ = ["PROFILES", "profile_file"]

_HERE = Path(str(files(__name__)))

PROFILES: tuple[str, ...] = (
    "integrity",
    "register-1.0",
    "register-legacy",
    "aiact",
    "annex-viii-c",
    "assessments",
    "annex-viii-b",
    "us-inventory",
    "ai-watch",
)


def profile_file(profile: str) -> Path:
    """The Turtle file of one profile.

    :raises KeyError: when the profile is not one of :data:`PROFILES`.
    """
    if profile not in PROFILES:
        raise KeyError(f"unknown SHACL profile {profile!r}; expected one of {', '.join(PROFILES)}")
    return _HERE / f"{profile}.ttl"
