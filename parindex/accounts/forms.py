"""Forms of the accounts pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parindex.accounts.models import Role
from parindex.units import selectors as unit_selectors
from parindex.units.models import Authority, Unit, UnitGroup


class UnitChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.code} — {obj.name}"


class UnitAccountsForm(forms.Form):
    """Which units and which of their roles get accounts."""

    groups = forms.ModelMultipleChoiceField(
        queryset=UnitGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Every current unit of these groups"),
    )
    units = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("And these units"),
    )
    roles = forms.MultipleChoiceField(
        choices=[
            (Role.FOCAL_POINT.value, Role.FOCAL_POINT.label),
            (Role.UNIT_HEAD.value, Role.UNIT_HEAD.label),
        ],
        initial=[Role.FOCAL_POINT.value, Role.UNIT_HEAD.value],
        widget=forms.CheckboxSelectMultiple,
        label=_("Accounts for"),
    )

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.authority = authority
        groups_field = self.fields["groups"]
        units_field = self.fields["units"]
        assert isinstance(groups_field, forms.ModelMultipleChoiceField)
        assert isinstance(units_field, forms.ModelMultipleChoiceField)
        groups_field.queryset = UnitGroup.objects.filter(authority=authority).order_by("code")
        units_field.queryset = unit_selectors.units_of_authority(authority)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("groups") and not cleaned.get("units") and not self.has_error("units"):
            self.add_error("units", _("Choose at least one unit or group."))
        return cleaned

    def chosen_units(self) -> list[Unit]:
        """The units ticked, and the units of the groups ticked that exist today."""
        chosen = set(self.cleaned_data.get("units") or ())
        groups = self.cleaned_data.get("groups") or ()
        if groups:
            today = timezone.localdate()
            chosen.update(unit_selectors.units_current_in_groups(groups, on=today))
        return sorted(chosen, key=lambda unit: unit.code)


class ActivationForm(forms.Form):
    """The new password, twice."""

    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned
