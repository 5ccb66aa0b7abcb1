"""The release: what users install must hold every file the code reads, and say its version.

The built wheel itself is installed and run by ``.ci/wheel-smoke`` (in ``.ci/run``); these
tests guard the same promises quickly, from the checkout.
"""

from __future__ import annotations

import fnmatch
import subprocess
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tracker
from tracker.cli import app

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("council", "tracker", "scrapers", "db", "reports")


def _tracked_data_files() -> list[str]:
    """Return the files git tracks in the packages that are not modules of a package
    (data files, and Python files in folders without ``__init__.py`` such as migrations)."""
    try:
        listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", *PACKAGES],
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [p for p in listed.split()
            if not (p.endswith(".py") and (ROOT / p).with_name("__init__.py").exists())]


def test_every_data_file_of_the_packages_is_declared_as_package_data() -> None:
    """A data file the code reads (the mandate registry, the migrations' template) must
    ship in the wheel: each is matched by a package-data pattern of its package."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_data: dict[str, list[str]] = config["tool"]["setuptools"]["package-data"]
    data_files = _tracked_data_files()
    assert {"council/data/mandates.toml", "db/migrations/env.py"} <= set(data_files)
    undeclared = []
    for path in data_files:
        package, _, inside = path.partition("/")
        if not any(fnmatch.fnmatch(inside, pattern) for pattern in package_data.get(package, [])):
            undeclared.append(path)
    assert undeclared == []


def test_version_is_printed_and_is_the_packages_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"unsc-tracker {tracker.__version__}\n"
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["project"]["dynamic"] == ["version"]
    assert config["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "tracker.__version__"}
