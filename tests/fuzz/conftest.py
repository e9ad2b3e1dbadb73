"""Set-up of the fuzz tests: the cycle builders of tests/assessments, a scratch media folder."""

import sys
from pathlib import Path
from typing import Any

import pytest

ASSESSMENTS = Path(__file__).resolve().parents[1] / "assessments"
if str(ASSESSMENTS) not in sys.path:
    sys.path.append(str(ASSESSMENTS))


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Evidence uploaded by the fuzzer goes to a scratch folder, never to ./demo-data."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"
