"""Sign-in with throttling and a second factor, the account page and signing out everywhere
(docs/decisions/0013).

After the password, a user whose roles require two-factor sign-in is not signed in yet: the
session only remembers who is pending (for a few minutes) until the code is given, or, for a
user not enrolled yet, until enrolment is confirmed. Nothing else is reachable meanwhile.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from parindex.accounts import services, throttling, two_factor
from parindex.accounts.models import LoginFailure, User
from parindex.accounts.requests import signed_in
from parindex.accounts.security import client_address, security_event
from parindex.accounts.signin_forms import CodeForm, SignInForm

Scope = LoginFailure.Scope
PENDING = "parindex_pending_sign_in"
PENDING_FOR_SECONDS = 10 * 60


def _next_url(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return str(settings.LOGIN_REDIRECT_URL)


def _locked_message(until: datetime) -> str:
    when = date_format(timezone.localtime(until), "H:i d/m/Y")
    return _(
        "Too many failed sign-in attempts. For your security, signing in is paused: "
        "please try again after %(time)s."
    ) % {"time": when}


def _complete_sign_in(
    request: HttpRequest, user: User, backend: str, next_url: str
) -> HttpResponse:
    login(request, user, backend=backend)
    # An absolute end, however active the session is (a working day by default).
    request.session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
    security_event("login_succeeded", request)
    return HttpResponseRedirect(next_url)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request, request.POST.get("next") or request.GET.get("next", ""))
    form = SignInForm(request.POST or None)
    problem = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        address = client_address(request)
        until = throttling.first_lock(
            [
                throttling.locked_until(scope=Scope.USERNAME, value=username),
                throttling.locked_until(scope=Scope.ADDRESS, value=address),
            ]
        )
        if until is not None:
            security_event("login_refused_locked", request, username=username)
            problem, status = _locked_message(until), 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if isinstance(user, User):
                return _password_accepted(request, user, username, next_url)
            problem, status = _password_refused(request, username, address), 200
    elif request.method == "POST":
        problem = _("The username or password is not right. Please try again.")
    return render(
        request,
        "registration/login.html",
        {"form": form, "next": next_url, "problem": problem},
        status=status,
    )


def _password_refused(request: HttpRequest, username: str, address: str) -> str:
    throttling.failure_record(scope=Scope.USERNAME, value=username)
    throttling.failure_record(scope=Scope.ADDRESS, value=address)
    security_event("login_failed", request, username=username)
    until = throttling.first_lock(
        [
            throttling.locked_until(scope=Scope.USERNAME, value=username),
            throttling.locked_until(scope=Scope.ADDRESS, value=address),
        ]
    )
    if until is not None:
        security_event("lockout", request, username=username, until=until.isoformat())
        return _locked_message(until)
    return _("The username or password is not right. Please try again.")


def _password_accepted(
    request: HttpRequest, user: User, username: str, next_url: str
) -> HttpResponse:
    throttling.failures_clear(scope=Scope.USERNAME, value=username)
    backend = str(getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]))
    if not two_factor.two_factor_required(user):
        return _complete_sign_in(request, user, backend, next_url)
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "backend": backend,
        "next": next_url,
        "at": time.time(),
    }
    security_event("login_password_accepted", request, username=user.get_username())
    if two_factor.two_factor_enrolled(user):
        return redirect("accounts:second_factor")
    return redirect("accounts:two_factor_enrol")


def _pending(request: HttpRequest) -> tuple[User, dict[str, object]] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending["at"] > PENDING_FOR_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user else None


def _back_to_sign_in(request: HttpRequest) -> HttpResponse:
    request.session.pop(PENDING, None)
    messages.info(request, _("Please sign in again."))
    return redirect("login")


def _code_refused(request: HttpRequest, user: User, event: str) -> str:
    throttling.failure_record(scope=Scope.SECOND_FACTOR, value=str(user.pk))
    throttling.failure_record(scope=Scope.ADDRESS, value=client_address(request))
    security_event(event, request, username=user.get_username())
    until = _second_factor_lock(request, user)
    if until is not None:
        security_event("lockout", request, username=user.get_username(), scope="second_factor")
        return _locked_message(until)
    return _("This code is not right, or it has been used already. Please try again.")


def _second_factor_lock(request: HttpRequest, user: User) -> datetime | None:
    return throttling.first_lock(
        [
            throttling.locked_until(scope=Scope.SECOND_FACTOR, value=str(user.pk)),
            throttling.locked_until(scope=Scope.ADDRESS, value=client_address(request)),
        ]
    )


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    found = _pending(request)
    if found is None:
        return _back_to_sign_in(request)
    user, pending = found
    if not two_factor.two_factor_enrolled(user):
        return redirect("accounts:two_factor_enrol")
    form = CodeForm(request.POST or None)
    problem, status = "", 200
    if request.method == "POST" and form.is_valid():
        until = _second_factor_lock(request, user)
        if until is not None:
            problem, status = _locked_message(until), 429
        else:
            passed = two_factor.second_factor_check(user=user, code=form.cleaned_data["code"])
            if passed:
                throttling.failures_clear(scope=Scope.SECOND_FACTOR, value=str(user.pk))
                del request.session[PENDING]
                if passed == "recovery_code":
                    security_event("recovery_code_used", request, username=user.get_username())
                    messages.warning(
                        request,
                        _("You signed in with a recovery code. %(n)s recovery codes are left.")
                        % {"n": two_factor.recovery_codes_left(user=user)},
                    )
                return _complete_sign_in(
                    request, user, str(pending["backend"]), str(pending["next"])
                )
            problem = _code_refused(request, user, "second_factor_failed")
    return render(
        request, "accounts/second_factor.html", {"form": form, "problem": problem}, status=status
    )


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    found = _pending(request)
    if found is None:
        return _back_to_sign_in(request)
    user, pending = found
    if two_factor.two_factor_enrolled(user):
        return redirect("accounts:second_factor")
    device = two_factor.enrolment_device(user=user)
    form = CodeForm(request.POST or None)
    problem, status = "", 200
    if request.method == "POST" and form.is_valid():
        until = _second_factor_lock(request, user)
        if until is not None:
            problem, status = _locked_message(until), 429
        else:
            codes = two_factor.enrolment_confirm(user=user, code=form.cleaned_data["code"])
            if codes is not None:
                security_event("two_factor_enrolled", request, username=user.get_username())
                del request.session[PENDING]
                _complete_sign_in(request, user, str(pending["backend"]), str(pending["next"]))
                return render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "next": pending["next"]},
                )
            problem = _code_refused(request, user, "two_factor_enrolment_failed")
    uri = two_factor.provisioning_uri(device)
    qr_svg = mark_safe(segno.make(uri, error="m").svg_inline(scale=4))  # our own SVG
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {"form": form, "problem": problem, "secret": device.secret, "uri": uri, "qr_svg": qr_svg},
        status=status,
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def account(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    enrolled = two_factor.two_factor_enrolled(user)
    return render(
        request,
        "accounts/account.html",
        {
            "account": user,
            "two_factor_required": two_factor.two_factor_required(user),
            "two_factor_enrolled": enrolled,
            "recovery_codes_left": two_factor.recovery_codes_left(user=user) if enrolled else 0,
        },
    )


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    services.sessions_end_everywhere(user=user)
    security_event("logout_everywhere", request)
    logout(request)
    messages.success(request, _("You have been signed out on every device."))
    return redirect("login")


@login_required
@never_cache
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not two_factor.two_factor_enrolled(user):
        return redirect("accounts:account")
    codes = two_factor.recovery_codes_renew(user=user)
    security_event("recovery_codes_renewed", request)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": reverse("accounts:account")},
    )
