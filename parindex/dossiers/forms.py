"""Forms of the dossiers pages."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parindex.dossiers.reading import VALUE_TARGETS
from parindex.formats.dossiers import COLUMNS

FILE_SUFFIXES = (".csv", ".xlsx")
DEFAULT = "default"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export of the one-stop system (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(FILE_SUFFIXES)}),
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    mapping = forms.ChoiceField(label=_("Column mapping"))

    def __init__(self, *args: object, mappings: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["year"].initial = timezone.localdate().year
        choices = [(DEFAULT, _("Default: the Vietnamese headers (Mã hồ sơ, Đơn vị, …)"))]
        self.fields["mapping"].choices = choices + mappings  # type: ignore[attr-defined]

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in FILE_SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."), code="invalid_extension")
        return upload


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)


# ---------------------------------------------------------------- column mappings

# The FORMATS columns in order; the dossiers reader needs every one of them in the file.
MAPPED_COLUMNS = COLUMNS
VALUE_COLUMNS = tuple(VALUE_TARGETS)
_TARGETS_TEXT = {"status": "finished, pending, withdrawn", "online": "1, 0"}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def value_lines(values: Mapping[str, str]) -> str:
    """{value as written: FORMATS value} as the editor's lines ("Đã có kết quả = finished")."""
    return "\n".join(f"{written} = {value}" for written, value in values.items())


class MappingForm(forms.Form):
    """A saved column mapping: a name, the header of each FORMATS column as the system writes
    it, and the lines "value as written = FORMATS value" of `status` and `online`."""

    name = forms.CharField(label=_("Name of the mapping"), max_length=200)
    status_values = forms.CharField(
        label=_("Values of the status column"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One per line: the value as the system writes it = finished, pending or "
                    "withdrawn."),
    )  # fmt: skip
    online_values = forms.CharField(
        label=_("Values of the online column"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: the value as the system writes it = 1 (online) or 0."),
    )
    sample = forms.FileField(
        label=_("Learn from a file: a sample export (CSV or XLSX)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(FILE_SUFFIXES)}),
    )

    def __init__(
        self, *args: Any, taken: Collection[str] = (), **kwargs: Any
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.taken = {_fold(name) for name in taken}  # names of the authority's other mappings
        for column in MAPPED_COLUMNS:
            self.fields[f"col_{column}"] = forms.CharField(
                label=column, max_length=200, required=False
            )

    @property
    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{column}"] for column in MAPPED_COLUMNS]

    @staticmethod
    def initial_for(
        name: str, columns: Mapping[str, str], values: Mapping[str, Mapping[str, str]]
    ) -> dict[str, str]:
        """The form's initial data from a mapping ({header: column}) and its values."""
        initial = {"name": name}
        for header, column in columns.items():
            initial.setdefault(f"col_{column}", header)
        for column in VALUE_COLUMNS:
            initial[f"{column}_values"] = value_lines(values.get(column, {}))
        return initial

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if _fold(name) in self.taken:
            raise forms.ValidationError(
                _("The authority has a mapping of this name already."), code="taken"
            )
        return name

    def clean_sample(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("sample")
        if upload and Path(upload.name or "").suffix.lower() not in FILE_SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."), code="invalid_extension")
        return upload

    def _values(self, column: str) -> dict[str, str]:
        field = f"{column}_values"
        text = self.cleaned_data.get(field) or ""
        allowed = VALUE_TARGETS[column]
        found: dict[str, str] = {}
        folded: dict[str, str] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            written, equals, value = line.rpartition("=")
            written, value = written.strip(), value.strip().lower()
            if not equals or not written:
                self.add_error(
                    field,
                    forms.ValidationError(
                        _(
                            "Line %(line)d “%(text)s”: write it as “value as written = "
                            "%(targets)s”."
                        ),
                        code="line",
                        params={"line": number, "text": line, "targets": _TARGETS_TEXT[column]},
                    ),
                )
                continue
            if value not in allowed:
                self.add_error(
                    field,
                    forms.ValidationError(
                        _("Line %(line)d: “%(value)s” is not one of %(targets)s."),
                        code="target",
                        params={"line": number, "value": value, "targets": _TARGETS_TEXT[column]},
                    ),
                )
                continue
            key = _fold(written)
            if key in folded and found[folded[key]] != value:
                self.add_error(
                    field,
                    forms.ValidationError(
                        _("Line %(line)d: “%(text)s” is given twice with different values."),
                        code="twice",
                        params={"line": number, "text": written},
                    ),
                )
                continue
            folded.setdefault(key, written)
            found[folded[key]] = value
        return found

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        headers: dict[str, str] = {}  # folded header → the first column using it
        columns: dict[str, str] = {}
        for column in MAPPED_COLUMNS:
            field = f"col_{column}"
            header = (cleaned.get(field) or "").strip()
            if not header:
                self.add_error(
                    field,
                    forms.ValidationError(
                        _("Write the header the system uses for the column %(column)s: the "
                          "file must have every column."),
                        code="required",
                        params={"column": column},
                    ),
                )  # fmt: skip
                continue
            key = _fold(header)
            if key in headers:
                self.add_error(
                    field,
                    forms.ValidationError(
                        _("The header “%(header)s” is already used for the column %(other)s."),
                        code="twice",
                        params={"header": header, "other": headers[key]},
                    ),
                )
                continue
            headers[key] = column
            columns[header] = column
        cleaned["columns"] = columns
        cleaned["values"] = {
            column: found for column in VALUE_COLUMNS if (found := self._values(column))
        }
        return cleaned
