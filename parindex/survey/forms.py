"""Forms of the survey pages."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from parindex.formats.survey_responses import KOBO_COLUMNS, ColumnMap

ANSWERS_FILE_SUFFIXES = (".csv", ".xlsx")
ANSWERS_FILE_MAX_BYTES = 200 * 1024 * 1024
QUESTIONNAIRE_SUFFIXES = (".yaml", ".yml", ".xlsx")


def _checked_file(upload: UploadedFile, suffixes: tuple[str, ...], limit: int) -> UploadedFile:
    if Path(upload.name or "").suffix.lower() not in suffixes:
        raise forms.ValidationError(
            _("Upload a file of type %(types)s.") % {"types": ", ".join(suffixes)},
            code="invalid_extension",
        )
    if (upload.size or 0) > limit:
        raise forms.ValidationError(
            _("The file is larger than the limit of %(limit)s MB.")
            % {"limit": limit // 1024 // 1024},
            code="too_large",
        )
    if not upload.size:
        raise forms.ValidationError(_("The file is empty."), code="empty")
    return upload


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Campaign title"), max_length=500)
    opens_at = forms.DateTimeField(
        label=_("Opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    margin = forms.DecimalField(
        label=_("Margin of error e"),
        min_value=Decimal("0.001"),
        max_value=Decimal("0.5"),
        decimal_places=3,
        initial=Decimal("0.05"),
        help_text=_("Target sample n = N / (1 + N·e²); 0.05 means ±5%."),
    )


class QuestionnaireUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Questionnaire file (YAML or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(QUESTIONNAIRE_SUFFIXES)}),
    )

    def clean_file(self) -> UploadedFile:
        return _checked_file(self.cleaned_data["file"], QUESTIONNAIRE_SUFFIXES, 5 * 1024 * 1024)


class InvitationsForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit rated"))
    group = forms.ChoiceField(label=_("Respondent group"))
    count = forms.IntegerField(label=_("How many codes"), min_value=1, max_value=5000, initial=50)

    def __init__(
        self, *args: Any, units: list[tuple[str, str]], groups: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = units
        cast(forms.ChoiceField, self.fields["group"]).choices = groups


def _pairs(text: str, field: str) -> dict[str, str]:
    """`left = right` lines → {left: right}; blank lines skipped."""
    pairs: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        left, sep, right = line.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise forms.ValidationError(
                _("Line %(line)s of %(field)s: write it as 'left = right'.")
                % {"line": number, "field": field},
                code="pair",
            )
        pairs[left.strip()] = right.strip()
    return pairs


class AnswersImportForm(forms.Form):
    """The file and its column mapping (prefilled from a saved mapping or Kobo's defaults)."""

    file = forms.FileField(
        label=_("Answers file (CSV or XLSX, KoboToolbox exports included)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ANSWERS_FILE_SUFFIXES)}),
    )
    response_id = forms.CharField(label=_("Response id column"), initial=KOBO_COLUMNS.response_id)
    unit = forms.CharField(label=_("Unit column"), initial=KOBO_COLUMNS.unit)
    group = forms.CharField(label=_("Group column"), required=False, initial=KOBO_COLUMNS.group)
    fixed_group = forms.ChoiceField(label=_("…or every row is from group"), required=False)
    submitted_at = forms.CharField(
        label=_("Submission time column"), required=False, initial=KOBO_COLUMNS.submitted_at
    )
    questions = forms.CharField(
        label=_("Question columns"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One 'column header = question code' per line. Empty: a header matches a question "
            "code, whole or by its last part (grp_a/q1 → q1)."
        ),
    )
    unit_values = forms.CharField(
        label=_("Unit names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One 'value as written = unit code' per line, e.g. Sở Tư pháp = stp."),
    )
    save_as = forms.CharField(
        label=_("Save this mapping as"),
        required=False,
        max_length=200,
        help_text=_("Give a name to reuse the mapping for the next file."),
    )

    def __init__(self, *args: Any, groups: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["fixed_group"]).choices = [("", "—"), *groups]

    def clean_file(self) -> UploadedFile:
        return _checked_file(
            self.cleaned_data["file"], ANSWERS_FILE_SUFFIXES, ANSWERS_FILE_MAX_BYTES
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("group") and not data.get("fixed_group"):
            raise forms.ValidationError(
                _("Name the group column or choose the group of every row."), code="group"
            )
        for name in ("questions", "unit_values"):
            try:
                data[f"{name}_map"] = _pairs(data.get(name) or "", str(self.fields[name].label))
            except forms.ValidationError as error:
                self.add_error(name, error)
        return data

    def column_map(self) -> ColumnMap:
        data = self.cleaned_data
        fixed = data.get("fixed_group") or ""
        return ColumnMap(
            response_id=data["response_id"].strip(),
            unit=data["unit"].strip(),
            group="" if fixed else (data.get("group") or "").strip(),
            fixed_group=fixed,
            submitted_at=(data.get("submitted_at") or "").strip(),
            questions=data.get("questions_map", {}),
            unit_values=data.get("unit_values_map", {}),
        )

    @staticmethod
    def initial_from(columns: ColumnMap) -> dict[str, str]:
        return {
            "response_id": columns.response_id,
            "unit": columns.unit,
            "group": columns.group,
            "fixed_group": columns.fixed_group,
            "submitted_at": columns.submitted_at,
            "questions": "\n".join(f"{h} = {q}" for h, q in columns.questions.items()),
            "unit_values": "\n".join(f"{v} = {u}" for v, u in columns.unit_values.items()),
        }
