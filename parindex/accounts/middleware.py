"""Middleware of the accounts app."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase

from parindex.accounts.permissions import grants_remembered
from parindex.accounts.security import security_event


class GrantsMiddleware:
    """Each user's roles are read once per request (`permissions.grants_of`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with grants_remembered():
            return self.get_response(request)


# Browsers ask for these on their own; a miss there says nothing about anyone's rights.
QUIET_PATHS = ("/favicon.ico", "/static/", "/robots.txt")


class SecurityEventMiddleware:
    """Logs what a view turns away: a 404 for an object the caller may not see (or that does
    not exist: the two are told apart nowhere, on purpose) and a 403."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # A refusal answered without an exception (CSRF failure, a view's own 403/404).
        if (
            response.status_code in (403, 404)
            and not getattr(request, "_security_logged", False)
            and not request.path.startswith(QUIET_PATHS)
        ):
            event = "forbidden" if response.status_code == 403 else "not_found"
            security_event(event, request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            security_event("forbidden", request, reason=str(exception))
        elif isinstance(exception, Http404):
            security_event("not_found", request)
        else:
            return
        request._security_logged = True  # type: ignore[attr-defined]


# Style attributes (`style="width: 40%"` for bars drawn from data) are allowed; style
# elements and scripts need the page's nonce or must come from our own origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'nonce-{nonce}'; "
    "style-src-elem 'self' 'nonce-{nonce}'; "
    "style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "frame-ancestors 'none'; "
    "form-action 'self'"
)
PERMISSIONS_POLICY = "camera=(), geolocation=(), microphone=(), payment=(), usb=()"


class ContentSecurityPolicyMiddleware:
    """Sets the content security policy with a fresh nonce per request (templates write
    `nonce="{{ request.csp_nonce }}"` on the few inline `<script>` and `<style>` elements) and
    the Permissions-Policy header. SecurityMiddleware sets the others (nosniff, referrer,
    cross-origin opener, HSTS)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY.format(nonce=nonce))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
