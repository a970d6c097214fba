from django import template
from django.conf import settings
from django.utils import formats

from clubsite import money
from members.phone import phone_display

register = template.Library()


register.filter("kr", money.kr)  # "kr 1 234,50" (clubsite.money)


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


@register.filter
def kr_plain(ore):
    """An amount in øre as the till's amount field takes it back: "100000,00"."""
    if ore is None or ore == "":
        return ""
    return f"{int(ore) // 100},{int(ore) % 100:02d}"


@register.simple_tag
def login_code_minutes() -> int:
    """How long a one-time login code works, as allauth is configured."""
    return settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT // 60
