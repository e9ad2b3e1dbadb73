"""Users and their roles (SPEC §4): what each person may do, for which authority and unit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from parindex.core.models import TimeStampedModel


class User(AbstractUser):
    """A person who signs in. What they may see and do comes from their memberships."""

    # Raised by "sign out everywhere": it is part of the session hash, so every session made
    # before it no longer matches (docs/decisions/0013).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "parindex.accounts.models.User.get_session_auth_hash"
        value = f"{self.password}:{self.session_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat (Home Affairs)")
    FOCAL_POINT = "focal_point", _("Unit focal point")
    UNIT_HEAD = "unit_head", _("Unit head")
    APPRAISER = "appraiser", _("Appraiser")
    COUNCIL_CHAIR = "council_chair", _("Council chair")
    LEADER = "leader", _("Leader (read-only)")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SURVEY_ADMIN = "survey_admin", _("Survey administrator")


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


class LoginFailure(models.Model):
    """One failed sign-in, counted against a username, an address or a user's second factor.

    Rows, not counters: concurrent failures on several app servers only ever insert, so none
    is lost. `key` is a SHA-256, so a password typed into the username box is never stored.
    """

    class Scope(models.TextChoices):
        USERNAME = "username", _("username")
        ADDRESS = "address", _("address")
        SECOND_FACTOR = "second_factor", _("second factor")

    scope = models.CharField(max_length=16, choices=Scope.choices)
    key = models.CharField(max_length=64)
    failed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("sign-in failure")
        verbose_name_plural = _("sign-in failures")
        indexes = [models.Index(fields=["scope", "key", "failed_at"], name="login_failure_lookup")]


class TwoFactorDevice(models.Model):
    """A user's authenticator app (TOTP, RFC 6238): the shared secret and the last time step
    accepted, so that a code cannot be used twice."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor"
    )
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("two-factor device")
        verbose_name_plural = _("two-factor devices")


class RecoveryCode(models.Model):
    """A one-time code for when the phone is lost; only its SHA-256 is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
