"""Reading accounts, roles and activation links."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parindex.accounts.models import ActivationLink


def token_hash(token: str) -> str:
    """What is kept of an activation token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def activation_link_get(*, token: str, lock: bool = False) -> ActivationLink:
    """The usable link of a token, or ValidationError saying why it cannot be used.

    `lock` holds the link's row until the transaction ends (for the service that spends it).
    """
    found = ActivationLink.objects.select_related("user")
    if lock:
        found = found.select_for_update()
    link = found.filter(token_hash=token_hash(token)).first()
    if link is None:
        raise ValidationError(
            _("This activation link is not valid. Ask the secretariat for a new one."),
            code="unknown",
        )
    if link.used_at is not None:
        raise ValidationError(
            _(
                "This activation link has already been used. Sign in with your password, or "
                "ask the secretariat for a new link."
            ),
            code="used",
        )
    if link.expires_at <= timezone.now():
        raise ValidationError(
            _("This activation link has expired. Ask the secretariat for a new one."),
            code="expired",
        )
    return link
