"""Django admin for authorities, unit groups and units (for system administrators)."""

from django.contrib import admin

from parindex.units.models import Authority, Unit, UnitGroup


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "parent")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "authority")
    list_filter = ("authority",)
    search_fields = ("code", "name")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "type", "group", "authority", "valid_from", "valid_to")
    list_filter = ("authority", "group", "type")
    search_fields = ("code", "name")
    list_select_related = ("authority", "group")
    autocomplete_fields = ("parent", "group", "predecessors")
