"""A stamp card's stamps, drawn as a row of dots for the wallet page and the till's panel.

A tag rather than an included template: the till's panel draws every card after each
action, and an include with a loop over the slots cost more than the rest of a card.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def stamps(state, margin: str = "2"):
    """`state` is a rewards.selectors.CardState; `margin` the Bootstrap bottom margin step."""
    label = _("%(have)s of %(need)s stamps") % {"have": state.stamps, "need": state.size}
    dots = format_html_join(
        "", '<span class="stamp{}"></span>', ((" filled" if filled else "",) for filled in state.slots)
    )
    return format_html('<p class="stamps mb-{}" role="img" aria-label="{}">{}</p>', margin, label, dots)
