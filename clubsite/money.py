"""Amounts of money as people read them: one helper for pages, messages and stored texts."""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _


def kr(ore) -> str:
    """An amount in øre as kroner for the active language: "kr 1 234,50" in nb."""
    if ore is None or ore == "":
        return ""
    amount = formats.number_format(Decimal(int(ore)) / 100, 2, use_l10n=True, force_grouping=True)
    # Translators: where the currency goes around an amount; nb "kr %(amount)s", sv "%(amount)s kr".
    # A no-break space keeps "kr" and the amount on one line.
    return (_("NOK %(amount)s") % {"amount": amount}).replace(" ", "\xa0")
