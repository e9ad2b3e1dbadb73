"""The Django admin pages of authorities, groups and units render for a superuser."""

import pytest
from django.test import Client

from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_units_admin_pages_render(client: Client) -> None:
    unit = UnitFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    for url in (
        "/admin/units/authority/",
        f"/admin/units/authority/{unit.authority.pk}/change/",
        "/admin/units/unitgroup/",
        "/admin/units/unit/",
        f"/admin/units/unit/{unit.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
