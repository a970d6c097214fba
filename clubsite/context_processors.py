from django.utils.functional import SimpleLazyObject

from members.models import Club
from members.registry import welcome_offer_lines


def club(request):
    """The club's name, colour and logo for the base layout: read when a template first
    uses it (one query a page), not for the partials that never do."""
    return {"club": SimpleLazyObject(Club.load)}


def welcome_offers(request):
    """What a new member gets, in the words of the settings (members.registry): called only
    by the templates that show it (home, join, welcome)."""
    return {"welcome_offers": welcome_offer_lines}
