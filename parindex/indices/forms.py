"""Forms of the external index pages: what the browser sends, checked before a service sees
it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from parindex.assessments.errors import bilingual
from parindex.formats.indices import FIRST_YEAR, LAST_YEAR
from parindex.indices.models import IndexCode
from parindex.scoring.messages import ScoringError
from parindex.scoring.numbers import parse_number

FILE_SUFFIXES = (".csv", ".xlsx")
FILE_MAX_BYTES = 2 * 1024 * 1024


class IndexValueForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    index = forms.ChoiceField(label=_("Index"), choices=IndexCode.choices)
    value = forms.CharField(
        label=_("Value"),
        max_length=32,
        help_text=_(
            "In the index's scale: SIPAS in percent, PAPI out of 80, PCI out of 100, "
            "ICT Index and DTI from 0 to 1. For example: 73,79"
        ),
    )
    rank = forms.IntegerField(label=_("National rank"), min_value=1, required=False)
    ranked_of = forms.IntegerField(
        label=_("Number ranked"),
        min_value=1,
        required=False,
        help_text=_("For example 63 (provinces and cities)."),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=500,
        required=False,
        help_text=_("The document or report that published the value."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        help_text=_("Required when correcting a value already entered."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_value(self) -> Decimal:
        text: str = self.cleaned_data["value"]
        try:
            return parse_number(text.strip().removesuffix("%"))
        except ScoringError as error:
            raise forms.ValidationError(
                str(bilingual(error.message)), code="not_a_number"
            ) from None


class IndicesImportForm(forms.Form):
    file = forms.FileField(
        label=_("Index values file (CSV or XLSX)"),
        help_text=_(
            "Columns: year, index (sipas, papi, pci, ict_index, pdti), value, rank, ranked_of, "
            "source, note."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(FILE_SUFFIXES)}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in FILE_SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."), code="invalid_extension")
        if (upload.size or 0) > FILE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB."),
                code="too_large",
                params={"size": FILE_MAX_BYTES // (1024 * 1024)},
            )
        return upload
