"""The Django admin pages of stored criteria sets render for a superuser, read-only."""

import pytest
from criteria_factories import authority, stored
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_criteria_admin_pages_render_and_offer_no_add(client: Client) -> None:
    version = stored(authority())
    node = version.nodes.get(code="1.1.1")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in (
        "/admin/criteria/criteriasetversion/",
        f"/admin/criteria/criteriasetversion/{version.pk}/change/",
        "/admin/criteria/criterionnode/",
        f"/admin/criteria/criterionnode/{node.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "THU-2025" in response.content.decode()
    assert client.get("/admin/criteria/criteriasetversion/add/").status_code == 403
