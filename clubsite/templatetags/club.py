from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from members.phone import phone_display

register = template.Library()


@register.filter
def kr(ore):
    """Format an amount in øre as kroner for the active language: "kr 1 234,50" in nb."""
    if ore is None or ore == "":
        return ""
    amount = formats.number_format(Decimal(int(ore)) / 100, 2, use_l10n=True, force_grouping=True)
    # Translators: where the currency goes around an amount; nb "kr %(amount)s", sv "%(amount)s kr".
    # A no-break space keeps "kr" and the amount on one line.
    return (_("NOK %(amount)s") % {"amount": amount}).replace(" ", "\xa0")


@register.filter
def phone(value):
    return phone_display(value) if value else ""


@register.filter
def grouped(value):
    """A whole number with the language's thousands separator: 12 345 in nb, 12,345 in en."""
    if value is None or value == "":
        return ""
    return formats.number_format(int(value), 0, use_l10n=True, force_grouping=True)


@register.filter
def minus(value, other):
    return int(value) - int(other)
