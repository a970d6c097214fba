from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_flows(sender, **kwargs):
    from campaigns.flows.services import flows_ensure

    flows_ensure()


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from anymail.signals import tracking

        from campaigns import member_parts, receivers
        from rewards import signals as wallet

        member_parts.register()
        wallet.tier_changed.connect(receivers.on_tier_changed, dispatch_uid="campaigns.tier_history")
        tracking.connect(receivers.on_email_tracking, dispatch_uid="campaigns.email_tracking")
        # After every migrate (and a test's flush): the club has each kind of flow, off until
        # the owner writes its steps and switches it on.
        post_migrate.connect(_ensure_flows, sender=self, dispatch_uid="campaigns.ensure_flows")
