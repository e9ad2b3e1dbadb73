"""Forms of the plan pages: what the browser sends, checked before a service sees it."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from parindex.plans.models import Period, TaskStatus

TASKS_FILE_SUFFIXES = (".csv", ".xlsx")
TASKS_FILE_MAX_BYTES = 5 * 1024 * 1024


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=500)
    number = forms.CharField(
        label=_("Document number"),
        max_length=128,
        required=False,
        help_text=_("For example: Kế hoạch số 23/KH-UBND"),
    )


class TasksImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tasks file (CSV or XLSX)"),
        help_text=_(
            "Columns: code, title, lead, partners (separated by ';'), deadline, status, "
            "completed_at. Lead and partners are unit codes or names."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(TASKS_FILE_SUFFIXES)}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in TASKS_FILE_SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."), code="invalid_extension")
        if (upload.size or 0) > TASKS_FILE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB."),
                code="too_large",
                params={"size": TASKS_FILE_MAX_BYTES // (1024 * 1024)},
            )
        return upload


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=TaskStatus.choices)
    completed_at = forms.DateField(
        label=_("Completed on (when done)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}))
    documents = MultipleFileField(label=_("Evidence documents"), required=False)


class TaskFilterForm(forms.Form):
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    due_soon = forms.BooleanField(label=_("Due within 14 days"), required=False)
    lead = forms.IntegerField(label=_("Lead unit"), required=False, widget=forms.Select)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *TaskStatus.choices]
    )
