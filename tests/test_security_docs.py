"""docs/security.md lists every setting the server and the loader's input limits read, so an operator sees each
limit and its variable."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_every_server_setting_is_in_the_security_docs() -> None:
    sources = (REPO / "sparql_api" / "settings.py", REPO / "loader" / "sources" / "limits.py")
    read = {name for path in sources for name in re.findall(r'"(ALGOKG_[A-Z_]+)"', path.read_text(encoding="utf-8"))}
    documented = set(re.findall(r"ALGOKG_[A-Z_]+", (REPO / "docs" / "security.md").read_text(encoding="utf-8")))
    assert len(read) > 20  # the scan found the settings (a renamed file would make this test vacuous)
    assert read <= documented, f"settings missing from docs/security.md: {sorted(read - documented)}"
