"""Forms of the criteria pages: what the browser sends, checked before a service sees it."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from parindex.criteria.files import UPLOAD_MAX_BYTES, UPLOAD_SUFFIXES
from parindex.scoring.model import CriteriaSet, Node

AGENCY = re.compile(r"[\w.\-]{1,64}")


def _checked_upload(upload: UploadedFile) -> UploadedFile:
    if Path(upload.name or "").suffix.lower() not in UPLOAD_SUFFIXES:
        raise forms.ValidationError(_("Upload a .yaml or .xlsx file."), code="invalid_extension")
    if (upload.size or 0) > UPLOAD_MAX_BYTES:
        raise forms.ValidationError(
            _("The file is larger than %(size)s MB."),
            code="too_large",
            params={"size": UPLOAD_MAX_BYTES // (1024 * 1024)},
        )
    return upload


class CriteriaUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Criteria set file (YAML or XLSX)"),
        help_text=_(
            "A YAML file in the parindex format, or a workbook with the sheets 'Tiêu chí' "
            "(STT, Nội dung, Điểm tối đa, Nguồn, Quy tắc, Tài liệu kiểm chứng, Cơ quan thẩm "
            "định) and 'Thiết lập'."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )

    def clean_file(self) -> UploadedFile:
        return _checked_upload(self.cleaned_data["file"])


class CriteriaReviseForm(forms.Form):
    """Either the edited YAML text or a file (a file wins when both are sent)."""

    yaml_text = forms.CharField(
        label=_("Criteria set (YAML)"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
    )
    file = forms.FileField(
        label=_("Or upload a file (YAML or XLSX)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )

    def clean_file(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("file")
        return _checked_upload(upload) if upload else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("yaml_text") or "").strip():
            raise forms.ValidationError(_("Edit the YAML text or choose a file."), code="empty")
        return data


def _shared_agency(leaves: list[Node]) -> str:
    """The agency most leaves have (the first of equals), or "" when a leaf has none."""
    agencies = [leaf.appraiser or "" for leaf in leaves]
    if "" in agencies:
        return ""
    return Counter(agencies).most_common(1)[0][0]


@dataclass(frozen=True)
class AgencyBoxes:
    field: forms.BoundField
    leaves: list[forms.BoundField]
    open: bool


class AppraisersForm(forms.Form):
    """One agency per field (*lĩnh vực*), and optionally one per leaf, which then wins.

    Each field's box starts with the agency most of its leaves have (empty when a leaf has
    none); each leaf's box starts empty when the leaf has its field's agency, else with its
    own. Sending the form unchanged therefore changes nothing. An empty field box clears the
    agency of the leaves below it whose own box is empty.
    """

    def __init__(self, criteria: CriteriaSet, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections: list[tuple[Node, str, list[tuple[Node, str]]]] = []
        for i, field in enumerate(criteria.nodes):
            leaves = field.leaves()
            shared = _shared_agency(leaves)
            field_name = f"field_{i}"
            self.fields[field_name] = self._agency_field(f"{field.code} {field.title}", shared)
            leaf_names = []
            if not field.is_leaf:
                for j, leaf in enumerate(leaves):
                    own = leaf.appraiser or ""
                    name = f"leaf_{i}_{j}"
                    self.fields[name] = self._agency_field(
                        f"{leaf.code} {leaf.title}", "" if own == shared else own
                    )
                    leaf_names.append((leaf, name))
            self.sections.append((field, field_name, leaf_names))

    @staticmethod
    def _agency_field(label: str, initial: str) -> forms.CharField:
        return forms.CharField(
            label=label,
            required=False,
            initial=initial,
            max_length=64,
            widget=forms.TextInput(attrs={"list": "agencies", "autocomplete": "off"}),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            if value and not AGENCY.fullmatch(value.strip()):
                self.add_error(
                    name,
                    forms.ValidationError(
                        _("An agency code has letters, digits, '_', '-' or '.' only."),
                        code="invalid_agency",
                    ),
                )
        return data

    def section_boxes(self) -> list[AgencyBoxes]:
        """The bound boxes of each field and of its leaves, for the template."""
        boxes = []
        for _field, field_name, leaves in self.sections:
            leaf_boxes = [self[name] for _leaf, name in leaves]
            opened = any(box.value() or box.errors for box in leaf_boxes)
            boxes.append(AgencyBoxes(self[field_name], leaf_boxes, opened))
        return boxes

    def assignments(self) -> dict[str, str]:
        """Node code → agency: every field, and each leaf whose box is filled."""
        found: dict[str, str] = {}
        for field, field_name, leaves in self.sections:
            found[field.code] = (self.cleaned_data.get(field_name) or "").strip()
            for leaf, name in leaves:
                own = (self.cleaned_data.get(name) or "").strip()
                if own:
                    found[leaf.code] = own
        return found
