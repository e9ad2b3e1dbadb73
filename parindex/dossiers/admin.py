from django.contrib import admin

from parindex.dossiers.models import ColumnMapping, Holiday


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("authority", "date", "name")
    list_filter = ("authority",)


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("authority", "name")
    list_filter = ("authority",)
