"""Django admin for users, their memberships and activation links."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parindex.accounts import services, two_factor
from parindex.accounts.models import ActivationLink, Membership, User
from parindex.accounts.security import security_event


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("authority", "unit")


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    inlines = (MembershipInline,)
    actions = ("two_factor_reset", "sessions_end")

    @admin.action(description=_("Reset two-step sign-in (lost phone and recovery codes)"))
    def two_factor_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            two_factor.two_factor_reset(user=user)
            services.sessions_end_everywhere(user=user)
            security_event("two_factor_reset", request, account=user.get_username())

    @admin.action(description=_("Sign out everywhere"))
    def sessions_end(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.sessions_end_everywhere(user=user)
            security_event("logout_everywhere", request, account=user.get_username())


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "role", "authority", "unit", "agency", "active")
    list_filter = ("role", "active", "authority")
    search_fields = ("user__username", "unit__code", "agency")
    list_select_related = ("user", "authority", "unit")
    autocomplete_fields = ("user", "authority", "unit")


@admin.register(ActivationLink)
class ActivationLinkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Links are made by the unit accounts page (the token is shown once there); here they
    can only be looked at or deleted."""

    list_display = ("user", "created_at", "expires_at", "used_at")
    search_fields = ("user__username",)
    fields = ("user", "created_at", "expires_at", "used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def _admin_sign_in(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin's own sign-in page would skip throttling and the second factor: send it to
    the site's."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("login"))


admin.site.login = _admin_sign_in  # type: ignore[method-assign]
