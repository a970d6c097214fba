from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from referrals import receivers
        from rewards import signals as wallet

        wallet.purchase_recorded.connect(receivers.on_purchase_recorded, dispatch_uid="referrals.qualify")
        wallet.visit_recorded.connect(receivers.on_visit_recorded, dispatch_uid="referrals.qualify_visit")
        wallet.purchase_reversed.connect(receivers.on_purchase_reversed, dispatch_uid="referrals.refund")
        user_logged_in.connect(receivers.on_user_logged_in, dispatch_uid="referrals.attribute_on_join")
