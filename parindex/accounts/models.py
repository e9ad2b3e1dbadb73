"""Users and their roles (SPEC §4): what each person may do, for which authority and unit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.core.models import TimeStampedModel


class User(AbstractUser):
    """A person who signs in. What they may see and do comes from their memberships."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat (Home Affairs)")
    FOCAL_POINT = "focal_point", _("Unit focal point")
    UNIT_HEAD = "unit_head", _("Unit head")
    APPRAISER = "appraiser", _("Appraiser")
    COUNCIL_CHAIR = "council_chair", _("Council chair")
    LEADER = "leader", _("Leader (read-only)")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class Membership(TimeStampedModel):
    """A role held by a user within an authority; unit roles name the unit.

    An appraiser names the appraising agency code used in criteria sets (e.g. `noi_vu`) and
    the unit they belong to, which they never appraise.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    authority = models.ForeignKey(
        "units.Authority", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.CharField(_("appraising agency"), max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "authority", "role", "unit"], name="unique_membership"
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=["focal_point", "unit_head"])
                | models.Q(unit__isnull=False),
                name="unit_roles_name_a_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class ActivationLink(TimeStampedModel):
    """A one-time link by which a new unit account sets its password. Only a hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activation_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("activation link")
        verbose_name_plural = _("activation links")


class ApiToken(TimeStampedModel):
    """A bearer token for the REST API; only its SHA-256 is kept, the text is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)  # to recognise a token in lists, never to match it
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
