"""External indices (*các chỉ số bên ngoài*) of an authority per year: SIPAS, PAPI, PCI,
ICT Index and DTI, published by national bodies and recorded here beside the PAR results,
with the append-only history of every change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.core.models import TimeStampedModel
from parindex.formats.indices import SCALES, Scale


class IndexCode(models.TextChoices):
    """The closed list of external indices; their scales are `parindex.formats.indices.SCALES`."""

    SIPAS = "sipas", _("Satisfaction with public administrative services (SIPAS)")
    PAPI = "papi", _("Provincial governance and public administration performance (PAPI)")
    PCI = "pci", _("Provincial competitiveness (PCI)")
    ICT_INDEX = "ict_index", _("Readiness for ICT development and application (ICT Index)")
    PDTI = "pdti", _("Provincial digital transformation (DTI)")


SHORT_NAMES = {
    IndexCode.SIPAS: "SIPAS",
    IndexCode.PAPI: "PAPI",
    IndexCode.PCI: "PCI",
    IndexCode.ICT_INDEX: "ICT Index",
    IndexCode.PDTI: "DTI",
}


class IndexValue(TimeStampedModel):
    """An index's value for an authority (the province, or a district) in a year, in the
    index's scale (SIPAS in percent, PAPI out of 80, PCI out of 100, ICT Index and DTI 0–1),
    with the national rank when published (e.g. 9 of 63)."""

    authority = models.ForeignKey(
        "units.Authority", on_delete=models.CASCADE, related_name="index_values"
    )
    year = models.PositiveIntegerField(_("year"))
    index = models.CharField(_("index"), max_length=16, choices=IndexCode.choices)
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=4)
    rank = models.PositiveSmallIntegerField(_("national rank"), null=True, blank=True)
    ranked_of = models.PositiveSmallIntegerField(_("number ranked"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("external index value")
        verbose_name_plural = _("external index values")
        ordering = ["authority", "-year", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "year", "index"], name="unique_index_value"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="index_value_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(rank__isnull=True, ranked_of__isnull=True)
                | models.Q(rank__gte=1, ranked_of__isnull=True)
                | models.Q(rank__gte=1, ranked_of__gte=models.F("rank")),
                name="index_rank_within_ranked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.short_name} {self.year}: {self.value}"

    @property
    def short_name(self) -> str:
        return SHORT_NAMES.get(IndexCode(self.index), self.index)

    @property
    def scale(self) -> Scale:
        return SCALES[self.index]


class IndexValueChange(models.Model):
    """Append-only record of a value's changes: who, when, what it was, what it became, why.
    `old` is empty when the value was created; both hold the fields as text."""

    value = models.ForeignKey(IndexValue, on_delete=models.CASCADE, related_name="changes")
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]


class IndexImport(models.Model):
    """A file of index values imported for an authority, by hash: the same file again
    changes nothing."""

    authority = models.ForeignKey(
        "units.Authority", on_delete=models.CASCADE, related_name="index_imports"
    )
    sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    rows = models.PositiveIntegerField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "sha256"], name="unique_index_import")
        ]
