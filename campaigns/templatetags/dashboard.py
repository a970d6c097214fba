"""Figures on the dashboard, each shown as its unit asks: 1 234, 12,5 %, kr 1 234,50."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import pgettext

from clubsite.money import kr

register = template.Library()

DASH = "—"


def _number(value, places: int) -> str:
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


@register.filter
def figure(value, unit: str = "count"):
    """A value of the dashboard in its unit; a dash when there is nothing to show."""
    if value is None or value == "":
        return DASH
    if unit == "kr":
        return kr(value)
    if unit == "percent":
        return f"{_number(Decimal(value), 1)}\xa0%"
    if unit == "number":
        return _number(Decimal(value), 2)
    return _number(int(value), 0)


@register.filter
def change(value, unit: str = "count"):
    """The change from the previous period, with its sign (percent in percentage points)."""
    if value is None:
        return DASH
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    magnitude = abs(value)
    if unit == "percent":
        # Translators: a change in percentage points, e.g. "+1,5 pp".
        return sign + pgettext("percentage points", "%(value)s pp") % {
            "value": _number(Decimal(magnitude), 1)
        }
    return f"{sign}{figure(magnitude, unit)}"


@register.filter
def share(value):
    """A fraction as a percentage: 0.125 -> "12,5 %"."""
    return DASH if value is None else figure(round(Decimal(str(value)) * 100, 1), "percent")


@register.filter
def share_points(value):
    """A difference of fractions in percentage points, unsigned: 0.079 -> "7,9 pp"."""
    if value is None:
        return DASH
    points = round(Decimal(str(abs(value))) * 100, 1)
    return pgettext("percentage points", "%(value)s pp") % {"value": _number(points, 1)}
