"""Writing users, their roles (memberships) and the one-time links that activate them."""

from __future__ import annotations

import datetime as dt
import enum
import logging
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import (
    get_default_password_validators,
    get_password_validators,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parindex.accounts.models import ActivationLink, Membership, Role, User
from parindex.accounts.permissions import UNIT_ROLES
from parindex.accounts.selectors import activation_link_get, token_hash
from parindex.units.models import Authority, Unit

logger = logging.getLogger(__name__)

ACTIVATION_VALID_FOR = dt.timedelta(days=7)

# The username suffix of each unit role: `so_tp.dau_moi`, `so_tp.thu_truong`.
ROLE_SUFFIX = {Role.FOCAL_POINT: "dau_moi", Role.UNIT_HEAD: "thu_truong"}

# Used when the site configures no AUTH_PASSWORD_VALIDATORS: an account that a link
# activates never gets a trivial password.
FALLBACK_PASSWORD_VALIDATORS: list[dict[str, Any]] = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


# ---------------------------------------------------------------- memberships


@transaction.atomic
def membership_grant(
    *,
    user: User,
    authority: Authority,
    role: Role | str,
    unit: Unit | None = None,
    agency: str = "",
    by: User | None,
) -> Membership:
    """Give a user a role in an authority; the same grant twice gives the same membership.

    Unit roles (focal point, head) need a unit; an appraiser needs the code of the agency
    they appraise for and may name the unit they belong to; other roles name neither. The
    unit must be the authority's. A revoked (inactive) membership is made active again.
    """
    if role not in Role.values:
        raise ValidationError(
            {
                "role": ValidationError(
                    _("Unknown role %(role)s."), code="invalid", params={"role": role}
                )
            }
        )
    role = Role(role)
    agency = agency.strip()
    errors: dict[str, list[ValidationError]] = {}
    if role in UNIT_ROLES and unit is None:
        errors.setdefault("unit", []).append(
            ValidationError(_("This role belongs to a unit: choose the unit."), code="required")
        )
    if role not in (*UNIT_ROLES, Role.APPRAISER) and unit is not None:
        errors.setdefault("unit", []).append(
            ValidationError(_("This role is not bound to a unit."), code="not_allowed")
        )
    if unit is not None and unit.authority_id != authority.pk:
        errors.setdefault("unit", []).append(
            ValidationError(_("The unit belongs to another authority."), code="other_authority")
        )
    if role == Role.APPRAISER and not agency:
        errors.setdefault("agency", []).append(
            ValidationError(
                _("An appraiser needs the code of the agency they appraise for (e.g. noi_vu)."),
                code="required",
            )
        )
    if role != Role.APPRAISER and agency:
        errors.setdefault("agency", []).append(
            ValidationError(_("Only appraisers name an appraising agency."), code="not_allowed")
        )
    if errors:
        raise ValidationError(errors)

    held = Membership.objects.select_for_update().filter(user=user, authority=authority, role=role)
    # With a unit, (user, authority, role, unit) is unique; without one, each agency is a row.
    membership = (
        held.filter(unit__isnull=True, agency=agency).first()
        if unit is None
        else held.filter(unit=unit).first()
    )
    if membership is None:
        membership = Membership(user=user, authority=authority, role=role, unit=unit)
    elif membership.agency != agency:
        raise ValidationError(
            {
                "agency": ValidationError(
                    _(
                        "This person already appraises for agency %(agency)s at this unit; "
                        "revoke that role first."
                    ),
                    code="conflict",
                    params={"agency": membership.agency},
                )
            }
        )
    elif membership.active:
        return membership  # already held: nothing to change
    membership.agency = agency
    membership.active = True
    membership.full_clean()
    membership.save()
    logger.info(
        "role %s in %s (unit %s) granted to %s by %s",
        role.value,
        authority.code,
        unit.code if unit else "-",
        user.username,
        by,
    )
    return membership


# ---------------------------------------------------------------- unit accounts


class AccountStatus(enum.StrEnum):
    """What `unit_accounts_create` did for an account."""

    CREATED = "created"  # a new account, with its activation link
    PENDING = "pending"  # an existing account not activated yet: a new link replaces the old
    ACTIVE = "active"  # an existing account with a password: no link


@dataclass(frozen=True, slots=True)
class UnitAccount:
    """An account of a unit role; `link` is the activation path, shown once (or None)."""

    user: User
    unit: Unit
    role: Role
    status: AccountStatus
    link: str | None


def unit_username(unit_code: str, role: Role) -> str:
    """`so_tp.dau_moi` for the focal point of unit `SO_TP`: lower-case ASCII, `_` for the rest."""
    folded = unicodedata.normalize("NFKD", unit_code.replace("đ", "d").replace("Đ", "D"))
    ascii_code = folded.encode("ascii", "ignore").decode("ascii").lower()
    base = re.sub(r"[^a-z0-9_-]+", "_", ascii_code).strip("_") or "don_vi"
    return f"{base}.{ROLE_SUFFIX[role]}"


@transaction.atomic
def unit_accounts_create(
    *,
    authority: Authority,
    units: Iterable[Unit],
    roles: Iterable[Role | str],
    by: User | None,
) -> list[UnitAccount]:
    """Accounts for the focal points and heads of units, each with its role in the unit.

    The username comes from the unit code (`so_tp.dau_moi`, `so_tp.thu_truong`); an existing
    account of that name is reused when it belongs to no other authority or unit (otherwise
    the authority code is put in front: `tinh_son_la.so_tp.dau_moi`). Every account without
    a password gets a new one-time activation link, valid for 7 days; only its SHA-256 is
    kept, so the returned links can be shown once and never again. Accounts that already
    have a password get no link.
    """
    unit_list = sorted(set(units), key=lambda unit: unit.code)
    role_list = [Role(role) for role in dict.fromkeys(roles)]
    errors: dict[str, list[ValidationError]] = {}
    if not unit_list:
        errors["units"] = [ValidationError(_("Choose at least one unit."), code="required")]
    elif any(unit.authority_id != authority.pk for unit in unit_list):
        errors["units"] = [
            ValidationError(_("The unit belongs to another authority."), code="other_authority")
        ]
    if not role_list:
        errors["roles"] = [ValidationError(_("Choose at least one role."), code="required")]
    elif any(role not in UNIT_ROLES for role in role_list):
        errors["roles"] = [
            ValidationError(
                _("Only unit focal points and heads get unit accounts."), code="invalid"
            )
        ]
    if errors:
        raise ValidationError(errors)

    accounts = []
    for unit in unit_list:
        for role in role_list:
            user, created = _unit_user(authority, unit, role)
            membership_grant(user=user, authority=authority, role=role, unit=unit, by=by)
            if created:
                status = AccountStatus.CREATED
            elif user.has_usable_password():
                status = AccountStatus.ACTIVE
            else:
                status = AccountStatus.PENDING
            link = None if status == AccountStatus.ACTIVE else _activation_link_issue(user)
            accounts.append(UnitAccount(user, unit, role, status, link))
    logger.info(
        "%s unit account(s) of %s prepared by %s (%s new)",
        len(accounts),
        authority.code,
        by,
        sum(1 for account in accounts if account.status == AccountStatus.CREATED),
    )
    return accounts


def _unit_user(authority: Authority, unit: Unit, role: Role) -> tuple[User, bool]:
    base = unit_username(unit.code, role)
    for username in (base, f"{authority.code}.{base}"):
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, is_active=False)
            return user, True
        elsewhere = user.memberships.exclude(authority=authority).exists() or (
            user.memberships.filter(authority=authority, unit__isnull=False)
            .exclude(unit=unit)
            .exists()
        )
        if not elsewhere:
            return user, False
    raise ValidationError(
        _("The usernames %(names)s are taken by accounts of other units."),
        code="taken",
        params={"names": f"{base}, {authority.code}.{base}"},
    )


# ---------------------------------------------------------------- activation links


def _activation_link_issue(user: User) -> str:
    """A new one-time link for the user (older unused ones stop working); returns its path."""
    ActivationLink.objects.filter(user=user, used_at__isnull=True).delete()
    token = secrets.token_urlsafe(32)
    ActivationLink.objects.create(
        user=user,
        token_hash=token_hash(token),
        expires_at=timezone.now() + ACTIVATION_VALID_FOR,
    )
    return reverse("accounts:activate", kwargs={"token": token})


@transaction.atomic
def activation_use(*, token: str, password: str) -> User:
    """Set the password of the link's account, activate it, and spend the link.

    A used, expired or unknown link, or a password the validators refuse, raises
    ValidationError and changes nothing.
    """
    link = activation_link_get(token=token, lock=True)
    user = link.user
    validators = get_default_password_validators() or get_password_validators(
        FALLBACK_PASSWORD_VALIDATORS
    )
    validate_password(password, user, password_validators=validators)
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    link.used_at = timezone.now()
    link.save(update_fields=["used_at", "updated_at"])
    logger.info("account %s activated", user.username)
    return user


def sessions_end_everywhere(*, user: User) -> None:
    """Ends every session of the user, on every device: the session hash includes the
    generation, so sessions made before the increase no longer match (docs/decisions/0013)."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
