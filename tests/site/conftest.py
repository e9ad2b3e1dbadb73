import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def _environment(tmp_path: Path, overrides: dict[str, str | None]) -> dict[str, str]:
    env = {**os.environ, "PARINDEX_DATA_DIR": str(tmp_path / "data")}
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def run_manage(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python manage.py ARGS`` in a fresh interpreter from the repository root.

    The database is the one the test run uses (DATABASE_URL, or SQLite in a temporary data
    directory, so that no test touches ./demo-data). Keyword arguments override environment
    variables; a value of None removes the variable.
    """

    def run(*args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
        return _python(["manage.py", *args], _environment(tmp_path, env))

    return run


@pytest.fixture
def run_python(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -c CODE`` in a fresh interpreter, environment as for ``run_manage``."""

    def run(code: str, **env: str | None) -> subprocess.CompletedProcess[str]:
        return _python(["-c", code], _environment(tmp_path, env))

    return run


_READ_SETTINGS = """
import json
from parindex.site import settings
names = [name for name in dir(settings) if name.isupper()]
print(json.dumps({name: getattr(settings, name) for name in names}, default=str))
"""


@pytest.fixture
def read_settings(
    run_python: Callable[..., subprocess.CompletedProcess[str]],
) -> Callable[..., dict[str, Any]]:
    """Import the settings module in a fresh interpreter under the given environment."""

    def read(**env: str | None) -> dict[str, Any]:
        result = run_python(_READ_SETTINGS, **env)
        assert result.returncode == 0, result.stderr
        values: dict[str, Any] = json.loads(result.stdout)
        return values

    return read
