from django.contrib import admin
from django.http import HttpRequest

from parindex.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: jobs change only through their workers."""

    list_display = ("pk", "kind", "status", "done", "total", "attempts", "worker", "created_at")
    list_filter = ("status", "kind")
    readonly_fields = tuple(field.name for field in Job._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False
