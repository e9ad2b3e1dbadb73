"""Criteria sets (*bộ tiêu chí*) stored as versions: the YAML of FORMATS.md is the source of truth.

`CriteriaSetVersion.yaml_text` is what the engine reads (through `parindex.formats.criteria`);
`CriterionNode` rows mirror the tree for queries, sheets and appraiser assignment. A version is
frozen once a cycle opens on it; a later edit makes a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.core.models import TimeStampedModel


class CriteriaSetVersion(TimeStampedModel):
    authority = models.ForeignKey(
        "units.Authority", on_delete=models.CASCADE, related_name="criteria_sets"
    )
    code = models.CharField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=500)
    year = models.PositiveIntegerField(_("year"))
    unit_group = models.ForeignKey(
        "units.UnitGroup", on_delete=models.PROTECT, related_name="criteria_sets"
    )
    yaml_text = models.TextField(_("criteria set (YAML)"))
    sha256 = models.CharField(max_length=64)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("criteria set version")
        verbose_name_plural = _("criteria set versions")
        ordering = ["authority", "code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "code", "version"], name="unique_criteria_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class NodeKind(models.TextChoices):
    NORMAL = "normal", _("normal")
    BONUS = "bonus", _("bonus")
    PENALTY = "penalty", _("penalty")


class CriterionNode(models.Model):
    """One node of a stored version: field, criterion, sub-criterion or deeper."""

    criteria_set = models.ForeignKey(
        CriteriaSetVersion, on_delete=models.CASCADE, related_name="nodes"
    )
    code = models.CharField(_("code"), max_length=64)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveIntegerField(_("position"))  # depth-first order in the tree
    depth = models.PositiveSmallIntegerField(_("depth"))
    title = models.TextField(_("title"))
    max_points = models.DecimalField(_("max points"), max_digits=9, decimal_places=4)
    kind = models.CharField(max_length=16, choices=NodeKind.choices, default=NodeKind.NORMAL)
    is_leaf = models.BooleanField(default=False)
    source = models.CharField(_("source"), max_length=16, blank=True)  # self | survey | data
    rule_type = models.CharField(_("rule"), max_length=16, blank=True)
    rule = models.JSONField(_("rule details"), default=dict, blank=True)
    appraiser = models.CharField(_("appraising agency"), max_length=64, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_required = models.BooleanField(_("evidence required"), default=False)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["criteria_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="unique_node_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
