"""The dossiers tests' authority (its units, holidays, media folder in tmp_path), for the
import-as-a-job tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dossiers.conftest import authority, media_root, other_authority  # noqa: F401
from tests.jobs.processes import Database, process_database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    yield from process_database(tmp_path)
