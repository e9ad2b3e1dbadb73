from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Evidence files of a test go to a scratch folder, never to ./demo-data."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"
