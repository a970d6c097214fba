from members.models import Club


def club(request):
    """The club's name, colour and logo for the base layout (one query a page)."""
    return {"club": Club.load()}
