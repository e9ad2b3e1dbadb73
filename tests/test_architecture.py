"""The dependency rule of docs/architecture.md, checked rather than hoped for.

The engine (``parindex.scoring``) and the file layer (``parindex.formats``) must work without
Django: the ``compute`` command runs with no database, and a published score must be
recomputable from its inputs alone. Two checks:

* a fresh interpreter imports every module of both packages and must not have loaded Django
  (this catches imports that static analysis misses: ``importlib``, ``__import__``, plugins);
* ``lint-imports`` checks the contracts in pyproject.toml (static, but also catches imports
  hidden inside functions that the first check never runs).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

_IMPORT_ALL = """
import importlib, json, pkgutil, sys

def fail(name):
    raise ImportError(f"cannot import {name}")

imported = []
for package_name in sys.argv[1:]:
    package = importlib.import_module(package_name)
    for info in pkgutil.walk_packages(package.__path__, package_name + ".", onerror=fail):
        importlib.import_module(info.name)
        imported.append(info.name)
print(json.dumps({"imported": imported, "loaded": sorted(sys.modules)}))
"""


def _import_in_fresh_interpreter(*packages: str) -> tuple[list[str], list[str]]:
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL, *packages],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"importing {packages} failed:\n{result.stderr}"
    report = json.loads(result.stdout)
    return report["imported"], report["loaded"]


def _is_under(module: str, roots: tuple[str, ...]) -> bool:
    return any(module == root or module.startswith(root + ".") for root in roots)


@pytest.mark.parametrize(
    ("packages", "forbidden"),
    [
        pytest.param(
            ("parindex.scoring", "parindex.formats"),
            ("django", "parindex.site", "parindex.core"),
            id="engine-and-formats-without-django",
        ),
        pytest.param(
            ("parindex.scoring",),
            ("parindex.formats", "parindex.cli", "yaml", "polars"),
            id="engine-without-file-readers",
        ),
    ],
)
def test_pure_packages_load_nothing_forbidden(
    packages: tuple[str, ...], forbidden: tuple[str, ...]
) -> None:
    imported, loaded = _import_in_fresh_interpreter(*packages)
    if not imported:
        pytest.skip(f"{', '.join(packages)}: no submodules yet, nothing to check")

    offending = [module for module in loaded if _is_under(module, forbidden)]

    assert offending == [], f"importing all of {packages} loaded {offending}"


def test_import_linter_contracts_hold() -> None:
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    executable = executable or shutil.which("lint-imports")
    assert executable, "lint-imports not found: pip install -e '.[dev]'"

    result = subprocess.run(
        [executable, "--no-cache", "--no-logo"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
