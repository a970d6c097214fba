"""Lifecycle flows: messages at the moments that matter, sent through the same pipeline as
campaigns (the same Message rows, consent, contact budget and quiet hours).

A flow is a trigger (campaigns.flows.triggers) with settings; its steps are Campaign rows
(`Campaign.flow`), each with its texts, channel, optional offer and report, entered
`delay_days` after the occasion. A member enters a step once per occasion: the unique
(campaign, member, occasion) of Message makes a second tick write nothing.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Flow(models.Model):
    class Kind(models.TextChoices):
        WELCOME = "welcome", _("welcome series")
        BIRTHDAY = "birthday", _("birthday")
        WIN_BACK = "win_back", _("win-back after days without a purchase")
        POINTS_EXPIRING = "expiring", _("points about to expire")
        WELCOME_REMINDER = "welcome_gift", _("reminder before the welcome gift expires")
        NEXT_TIER = "next_tier", _("next tier within reach")
        TIER_REACHED = "tier_reached", _("tier reached")
        TIER_LAPSING = "tier_lapsing", _("tier about to lapse")
        ANNIVERSARY = "anniversary", _("anniversary of joining")
        ACTIVATION = "activation", _("joined but never used a benefit")
        NPS = "nps", _("one-question survey after a purchase (NPS)")
        PROMOTER_INVITE = "promoter", _("promoters invited to refer a friend")
        TRIAL_ENDING = "trial_ending", _("paid membership: the trial ends soon (service message)")
        RENEWAL = "renewal", _("paid membership: time to renew (service message)")

    # Service messages about the member's own paid membership: sent whatever their marketing
    # choices (consent, pause, budget, holdouts), and they say so (campaigns.sending.pipeline).
    SERVICE = frozenset({Kind.TRIAL_ENDING, Kind.RENEWAL})

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, unique=True)
    enabled = models.BooleanField(_("on"), default=False)
    days = models.PositiveSmallIntegerField(
        _("days"),
        default=30,
        help_text=_(
            "Win-back: days without a purchase before the first step. Points about to expire, "
            "welcome gift and tier about to lapse: days before the date. Activation: days after "
            "joining. Survey: days between two surveys to a member (90). Promoters: days after the "
            "answer (2). Membership trial and renewal: days before it ends (7). Not used by the "
            "others."
        ),
    )
    points = models.PositiveIntegerField(
        _("points from the next tier"),
        default=200,
        help_text=_("Next tier within reach: how close (in the tiers' points, or kroner) counts as near."),
    )
    only_from_now = models.BooleanField(
        _("only from now on"),
        default=True,
        help_text=_(
            "On: only occasions from the moment the flow is switched on (a welcome for new members, "
            "not for everyone who joined before). Off: members already in the situation enter too."
        ),
    )
    enabled_at = models.DateTimeField(_("switched on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("flow")
        verbose_name_plural = _("flows")
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()

    @property
    def is_service(self) -> bool:
        return self.kind in self.SERVICE
