"""factory_boy factories shared by the Django tests: one factory per model, in app order.

Keep each factory minimal (only what the model requires); tests say what matters to them.
"""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from parindex.accounts.models import Membership, Role, User
from parindex.units.models import Authority, Unit, UnitGroup

TEST_PASSWORD = "Mật-khẩu-thử-2024"  # a test fixture, not a secret

# ---------------------------------------------------------------- units


class AuthorityFactory(DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"tinh_{n}")
    name = factory.LazyAttribute(lambda o: f"UBND {o.code}")


class UnitGroupFactory(DjangoModelFactory):
    class Meta:
        model = UnitGroup
        django_get_or_create = ("authority", "code")

    authority = factory.SubFactory(AuthorityFactory)
    code = factory.Sequence(lambda n: f"khoi_{n}")
    name = factory.LazyAttribute(lambda o: f"Khối {o.code}")


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("authority", "code")

    authority = factory.SubFactory(AuthorityFactory)
    code = factory.Sequence(lambda n: f"SO_{n}")
    name = factory.LazyAttribute(lambda o: f"Sở {o.code}")
    group = factory.SubFactory(UnitGroupFactory, authority=factory.SelfAttribute("..authority"))


# ---------------------------------------------------------------- accounts


class UserFactory(DjangoModelFactory):
    """An active user who signs in with TEST_PASSWORD."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"nguoi_dung_{n}")
    password = factory.django.Password(TEST_PASSWORD)
    is_active = True


class MembershipFactory(DjangoModelFactory):
    """A role in an authority; unit roles get a unit of that authority unless one is given."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    authority = factory.SubFactory(AuthorityFactory)
    role = Role.SECRETARIAT
    unit = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role in (Role.FOCAL_POINT, Role.UNIT_HEAD)),
        yes_declaration=factory.SubFactory(
            UnitFactory, authority=factory.SelfAttribute("..authority")
        ),
        no_declaration=None,
    )
    agency = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role == Role.APPRAISER),
        yes_declaration="noi_vu",
        no_declaration="",
    )
