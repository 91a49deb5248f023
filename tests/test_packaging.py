"""The wheel ships every package and data file the code reads (editable installs hide a miss)."""

import tomllib

from tests.conftest import REPO


def test_every_python_package_is_listed() -> None:
    configured = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(configured["packages"])
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in listed
        if "." not in top
        for init in (REPO / top).rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_every_data_file_is_covered_by_package_data() -> None:
    configured = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = configured["package-data"]
    missing = []
    data_files = [
        path
        for top in ("ontology", "shapes", "loader")
        for path in (REPO / top).rglob("*")
        if path.suffix in {".ttl", ".csv"}
    ]
    for path in data_files:
        package_dir = path.parent
        while not (package_dir / "__init__.py").exists():
            package_dir = package_dir.parent
        package = ".".join(package_dir.relative_to(REPO).parts)
        relative = path.relative_to(package_dir)
        if not any(relative.match(pattern) for pattern in patterns.get(package, [])):
            missing.append(str(path.relative_to(REPO)))
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
