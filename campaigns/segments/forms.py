"""The owner's segment form: a condition row with its value as a list to choose from."""

from __future__ import annotations

from django import forms
from django.forms.models import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from campaigns.models import Segment, SegmentCondition
from campaigns.segments.conditions import KINDS

CONDITION_FIELDS = ["kind", "comparison", "number", "days", "choice", "tier", "card", "location", "interest"]


def choice_groups() -> list:
    """Every kind's allowed values, grouped under the kind's name (each group once)."""
    groups, seen = [("", "---------")], set()
    for kind, spec in KINDS.items():
        if spec.choices and tuple(spec.choices) not in seen:
            seen.add(tuple(spec.choices))
            groups.append((SegmentCondition.Kind(kind).label, list(spec.choices)))
    return groups


class SegmentConditionForm(forms.ModelForm):
    choice = forms.ChoiceField(label=_("value"), required=False, choices=choice_groups)

    class Meta:
        model = SegmentCondition
        fields = CONDITION_FIELDS


ConditionFormSet = inlineformset_factory(
    Segment, SegmentCondition, form=SegmentConditionForm, fields=CONDITION_FIELDS, extra=0, can_delete=True
)


def conditions_from(data, segment: Segment) -> tuple[list[SegmentCondition], list[int]]:
    """The conditions of a form being edited (not saved): the complete ones, and the numbers
    (from 1) of the rows left out because they are not complete or not valid yet."""
    formset = ConditionFormSet(data, instance=segment, prefix="conditions")
    conditions, left_out = [], []
    for number, form in enumerate(formset.forms, start=1):
        if not form.has_changed() and not form.instance.pk:
            continue
        if not form.is_valid():
            left_out.append(number)
        elif not form.cleaned_data.get("DELETE"):
            conditions.append(form.instance)
    return conditions, left_out
