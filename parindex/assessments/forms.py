"""Forms of the cycle pages and the sheet: they read what the browser sends, nothing more.

Whether a value fits its leaf's rule is the service's question (`entry_save`), answered with
the engine's own reading of the value.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parindex.criteria.models import CriteriaSetVersion
from parindex.units.models import Authority, UnitGroup


class EntryForm(forms.Form):
    """One leaf of the sheet. A ratio comes as two numbers; not applicable as a checkbox."""

    value = forms.CharField(required=False, max_length=255, strip=True)
    numerator = forms.CharField(required=False, max_length=64, strip=True)
    denominator = forms.CharField(required=False, max_length=64, strip=True)
    na = forms.BooleanField(required=False)
    note = forms.CharField(required=False, max_length=5000)
    version = forms.IntegerField(min_value=0)
    reason = forms.CharField(required=False, max_length=2000)

    def value_text(self) -> str:
        """The value as the engine reads it: `NA`, `n/d`, or what was typed or chosen."""
        data = self.cleaned_data
        if data["na"]:
            return "NA"
        numerator, denominator = data["numerator"], data["denominator"]
        if numerator or denominator:
            return f"{numerator}/{denominator}"
        text: str = data["value"]
        return text


class LinkForm(forms.Form):
    evidence = forms.IntegerField()
    code = forms.CharField(max_length=64)
    reason = forms.CharField(required=False, max_length=2000)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class CycleForm(forms.Form):
    """A new cycle; the choices are limited to the authorities the user runs."""

    authority = forms.ModelChoiceField(queryset=Authority.objects.none(), label=_("Authority"))
    unit_group = forms.ModelChoiceField(queryset=UnitGroup.objects.none(), label=_("Unit group"))
    criteria_set = forms.ModelChoiceField(
        queryset=CriteriaSetVersion.objects.none(), label=_("Criteria set")
    )
    year = forms.IntegerField(min_value=2000, max_value=2100, label=_("Year"))
    title = forms.CharField(max_length=500, label=_("Cycle title"))
    self_assessment_opens = forms.DateTimeField(
        required=False, label=_("Self-assessment opens"), widget=DateTimeInput()
    )
    self_assessment_closes = forms.DateTimeField(
        required=False, label=_("Self-assessment deadline"), widget=DateTimeInput()
    )
    appraisal_closes = forms.DateTimeField(
        required=False, label=_("Appraisal deadline"), widget=DateTimeInput()
    )
    explanation_closes = forms.DateTimeField(
        required=False, label=_("Explanation deadline"), widget=DateTimeInput()
    )
    finalisation_due = forms.DateTimeField(
        required=False, label=_("Finalisation due"), widget=DateTimeInput()
    )

    def __init__(self, *args: object, authority_ids: set[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        fields = self.fields
        fields["authority"].queryset = Authority.objects.filter(pk__in=authority_ids)  # type: ignore[attr-defined]
        fields["unit_group"].queryset = UnitGroup.objects.filter(  # type: ignore[attr-defined]
            authority_id__in=authority_ids
        ).select_related("authority")
        fields["criteria_set"].queryset = CriteriaSetVersion.objects.filter(  # type: ignore[attr-defined]
            authority_id__in=authority_ids
        ).select_related("unit_group")
