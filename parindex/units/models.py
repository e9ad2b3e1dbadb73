"""Evaluating authorities (*cơ quan đánh giá*), unit groups (*khối*) and units with lineage."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.core.models import TimeStampedModel


class Authority(TimeStampedModel):
    """A People's Committee that evaluates units: the province, or a district (before 2025)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent authority"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("evaluating authority")
        verbose_name_plural = _("evaluating authorities")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class UnitGroup(TimeStampedModel):
    """Units ranked together with one criteria set, e.g. Khối sở, ban, ngành."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        verbose_name = _("unit group")
        verbose_name_plural = _("unit groups")
        ordering = ["authority", "code"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "code"], name="unique_group_code")
        ]

    def __str__(self) -> str:
        return self.name


class Unit(TimeStampedModel):
    """A department, district, commune, office... evaluated by an authority (*đơn vị*)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="units")
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=255)
    type = models.CharField(_("type"), max_length=64, blank=True)
    group = models.ForeignKey(
        UnitGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self",
        verbose_name=_("predecessors"),
        symmetrical=False,
        blank=True,
        related_name="successors",
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["authority", "code"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "code"], name="unique_unit_code"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="unit_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
