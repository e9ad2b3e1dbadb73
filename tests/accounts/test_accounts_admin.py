"""The Django admin pages of users, memberships and activation links."""

import pytest
from django.test import Client

from parindex.accounts.models import Role
from parindex.accounts.services import unit_accounts_create
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_accounts_admin_pages_render_and_links_cannot_be_added(client: Client) -> None:
    unit = UnitFactory()
    membership = MembershipFactory(authority=unit.authority)
    unit_accounts_create(authority=unit.authority, units=[unit], roles=[Role.UNIT_HEAD], by=None)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    for url in (
        "/admin/accounts/user/",
        f"/admin/accounts/user/{membership.user.pk}/change/",
        "/admin/accounts/membership/",
        "/admin/accounts/activationlink/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/accounts/activationlink/add/").status_code == 403
