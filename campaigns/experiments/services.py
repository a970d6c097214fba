"""Acting on an experiment's result: rolling the winning variant out to the rest of a flow."""

from __future__ import annotations

from campaigns.errors import CampaignsError
from campaigns.experiments.results import experiment_result
from campaigns.models import Campaign


def experiment_use_winner(*, step: Campaign, letter: str) -> None:
    """From now on every member entering the flow's step who is not held out gets variant
    `letter`. Only the variant the result names as the clear winner: a result that could be
    chance rolls nothing out. The holdout stays, so the step goes on being measured; the
    members already entered keep the variant they got."""
    if step.flow_id is None:
        raise CampaignsError("not_a_flow_step")
    result = experiment_result(step)
    if result is None or result.winner != letter:
        raise CampaignsError("no_winner")
    Campaign.objects.filter(pk=step.pk, winner="").update(winner=letter)
    step.refresh_from_db()
