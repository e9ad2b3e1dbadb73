"""Forms of the units pages: what the browser sends, checked before a service sees it."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

UNITS_FILE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
UNITS_FILE_MAX_BYTES = 5 * 1024 * 1024


class UnitsImportForm(forms.Form):
    file = forms.FileField(
        label=_("Units file (CSV or XLSX)"),
        help_text=_(
            "Columns: code, name, group, type, parent, valid_from, valid_to, predecessors "
            "(codes separated by ';')."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UNITS_FILE_SUFFIXES)}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in UNITS_FILE_SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."), code="invalid_extension")
        if (upload.size or 0) > UNITS_FILE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB."),
                code="too_large",
                params={"size": UNITS_FILE_MAX_BYTES // (1024 * 1024)},
            )
        return upload
