"""Django admin for users, their memberships and activation links."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from parindex.accounts.models import ActivationLink, Membership, User


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("authority", "unit")


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    inlines = (MembershipInline,)


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
