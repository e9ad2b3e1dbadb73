"""Admin of stored criteria sets: read-mostly, since the YAML text is the source of truth.

Versions are created and changed through the services (the pages), which check the text and
keep the node rows in step; the admin shows them and lets a system administrator look, not
edit the tree by hand.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from parindex.criteria.models import CriteriaSetVersion, CriterionNode


class CriterionNodeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CriterionNode
    fields = ("code", "title", "max_points", "kind", "source", "rule_type", "appraiser")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("position",)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CriteriaSetVersion)
class CriteriaSetVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "version", "title", "year", "authority", "unit_group", "frozen_at")
    list_filter = ("authority", "year", ("frozen_at", admin.EmptyFieldListFilter))
    search_fields = ("code", "title")
    readonly_fields = (
        "authority", "code", "version", "title", "year", "unit_group", "yaml_text", "sha256",
        "frozen_at", "created_by", "created_at", "updated_at",
    )  # fmt: skip
    inlines = (CriterionNodeInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CriterionNode)
class CriterionNodeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "code",
        "title",
        "criteria_set",
        "max_points",
        "source",
        "rule_type",
        "appraiser",
    )
    list_filter = ("source", "rule_type", "kind")
    search_fields = ("code", "title", "appraiser")
    list_select_related = ("criteria_set",)
    readonly_fields = (
        "criteria_set", "code", "parent", "position", "depth", "title", "max_points", "kind",
        "is_leaf", "source", "rule_type", "rule", "appraiser", "evidence", "evidence_required",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
