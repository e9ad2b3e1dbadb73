import pytest

from tests.plans.plans_factories import Province, province


@pytest.fixture
def kh(db: None) -> Province:
    return province()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
