from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from anymail.signals import tracking

        from campaigns import receivers
        from rewards import signals as wallet

        wallet.tier_changed.connect(receivers.on_tier_changed, dispatch_uid="campaigns.tier_history")
        tracking.connect(receivers.on_email_tracking, dispatch_uid="campaigns.email_tracking")
