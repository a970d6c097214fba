from django.utils.functional import SimpleLazyObject

from members.models import Club


def club(request):
    """The club's name, colour and logo for the base layout: read when a template first
    uses it (one query a page), not for the partials that never do."""
    return {"club": SimpleLazyObject(Club.load)}
