"""The member's say: the owner's open polls, a review of a shop, and the reviews the owner
has approved."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from members.models import Location
from members.views import member_required
from rewards.config import config
from rewards.errors import RewardsError
from rewards.models import Poll, Review
from rewards.services.feedback import poll_answer, review_write

SHOWN_REVIEWS = 10


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Stars"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose from 1 to 5 stars.")},
    )
    location = forms.ModelChoiceField(
        label=gettext_lazy("Shop"),
        queryset=Location.objects.all(),
        required=False,
        empty_label=gettext_lazy("Any"),
    )
    text = forms.CharField(
        label=gettext_lazy("Your review"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )


@member_required
def feedback(request, form: ReviewForm | None = None, status: int = 200):
    polls = (
        Poll.objects.filter(is_active=True).exclude(answers__member=request.member).order_by("-created_at")
    )
    context = {
        "polls": polls,
        "form": form or ReviewForm(),
        "reviews": Review.objects.filter(status=Review.Status.APPROVED).select_related(
            "member__user", "location"
        )[:SHOWN_REVIEWS],
        "program": config().program,
        "waiting": Review.objects.filter(member=request.member, status=Review.Status.PENDING).exists(),
    }
    return render(request, "rewards/feedback.html", context, status=status)


@member_required
@require_POST
def feedback_poll(request, poll_id: int):
    poll = get_object_or_404(Poll, pk=poll_id)
    try:
        poll_answer(poll=poll, member=request.member, choice=request.POST.get("choice", ""))
    except RewardsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you for answering!"))
    return redirect("rewards:feedback")


@member_required
@require_POST
def feedback_review(request):
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return feedback(request, form=form, status=400)
    data = form.cleaned_data
    review_write(member=request.member, rating=data["rating"], text=data["text"], location=data["location"])
    messages.success(request, _("Thank you! Your review is shown once the shop has read it."))
    return redirect("rewards:feedback")
