"""Pages for unit accounts (secretariat) and account activation (anyone with the link)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from parindex.accounts import permissions, selectors, services
from parindex.accounts.forms import ActivationForm, UnitAccountsForm
from parindex.accounts.requests import signed_in
from parindex.accounts.security import security_event

# ValidationError codes by which the activation link itself is refused (not the password).
LINK_REFUSALS = {"unknown": 404, "used": 410, "expired": 410}


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unit_accounts(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = get_object_or_404(
        permissions.authorities_administered_by(request.user), code=authority_code
    )
    form = UnitAccountsForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        try:
            accounts = services.unit_accounts_create(
                authority=authority,
                units=form.chosen_units(),
                roles=form.cleaned_data["roles"],
                by=signed_in(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            rows = [
                (account, request.build_absolute_uri(account.link) if account.link else "")
                for account in accounts
            ]
            response = render(
                request,
                "accounts/unit_accounts_done.html",
                {"authority": authority, "rows": rows},
            )
            response["Referrer-Policy"] = "no-referrer"
            return response
    return render(request, "accounts/unit_accounts.html", {"authority": authority, "form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def activate(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = selectors.activation_link_get(token=token)
    except ValidationError as exc:
        return _refused(request, exc)
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.activation_use(token=token, password=form.cleaned_data["password1"])
        except ValidationError as exc:
            if getattr(exc, "code", None) in LINK_REFUSALS:
                return _refused(request, exc)
            form.add_error("password1", exc)
        else:
            messages.success(
                request,
                _("Your account %(username)s is active. Sign in with your new password.")
                % {"username": user.get_username()},
            )
            return redirect("login")
    response = render(request, "accounts/activate.html", {"form": form, "account": link.user})
    response["Referrer-Policy"] = "no-referrer"
    return response


def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    response = render(
        request,
        "accounts/activate_refused.html",
        {"reasons": exc.messages},
        status=LINK_REFUSALS.get(getattr(exc, "code", None) or "", 400),
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change: this session stays, every other one ends (the session hash
    is made from the password)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        security_event("password_changed", self.request)
        messages.success(self.request, _("Your password has been changed."))
        return response
