"""Public endpoints of the sending pipeline: the counted redirect of a link in an e-mail."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from campaigns.models import Message
from campaigns.sending.links import click_read


@never_cache
@require_safe
def click(request, token: str):
    found = click_read(token)
    if found is None:
        message = _("This link is damaged or incomplete. Open the e-mail again and use the link there.")
        return render(request, "campaigns/link_invalid.html", {"error": message}, status=400)
    key, url = found
    # The first click counts; later ones change nothing. A key that is not ours (an erased
    # campaign's) still takes the reader where the owner sent them.
    Message.objects.filter(key=key, clicked_at=None).update(clicked_at=timezone.now())
    return HttpResponseRedirect(url)
