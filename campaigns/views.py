"""Public endpoints of the sending pipeline: the counted redirect of a link in an e-mail,
and the NPS survey a member answers through the link in theirs."""

from __future__ import annotations

from django import forms
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from campaigns.errors import CampaignsError
from campaigns.models import Message, NpsAnswer
from campaigns.nps import nps_answer, survey_message
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


class NpsForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How likely is it that you would recommend us to a friend?"),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a number from 0 to 10."),
            "invalid_choice": _("Choose a number from 0 to 10."),
        },
    )
    comment = forms.CharField(
        label=_("What is the main reason for your answer? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@never_cache
def nps(request, token: str):
    """The survey, answered without logging in through its signed link; once."""
    try:
        message = survey_message(token)
    except CampaignsError as error:
        return render(request, "campaigns/link_invalid.html", {"error": error.message}, status=400)
    with translation.override(message.member.language or translation.get_language()):
        answered = NpsAnswer.objects.filter(message=message).first()
        form = NpsForm(request.POST or None)
        if answered is None and request.method == "POST" and form.is_valid():
            try:
                answered = nps_answer(
                    message=message, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
                )
            except CampaignsError as error:  # answered in another tab a moment ago
                form.add_error(None, error.message)
        context = {"form": form, "answered": answered}
        return render(request, "campaigns/nps.html", context, status=400 if form.errors else 200)
