from django.urls import path

from rewards.views import achievements, causes, counter, feedback, member, membership, partners

app_name = "rewards"

urlpatterns = [
    path("kasse/", counter.counter_home, name="counter"),
    path("kasse/sw.js", counter.counter_service_worker, name="counter_sw"),
    path("kasse/<int:location_id>/", counter.counter_page, name="counter_page"),
    path("kasse/<int:location_id>/finn/", counter.counter_find, name="counter_find"),
    path("kasse/<int:location_id>/medlem/<str:number>/", counter.counter_member, name="counter_member"),
    path(
        "kasse/<int:location_id>/medlem/<str:number>/<slug:action>/",
        counter.counter_action,
        name="counter_action",
    ),
    path("medlem/lommebok/", member.wallet, name="wallet"),
    path("medlem/historikk/", member.history, name="history"),
    path("medlem/belonninger/", member.catalogue, name="catalogue"),
    path("medlem/belonninger/<int:reward_id>/hent/", member.redeem, name="redeem"),
    path("medlem/kupong/<str:code>/", member.voucher, name="voucher"),
    path("medlem/kupong/<str:code>/lever-tilbake/", member.voucher_cancel, name="voucher_cancel"),
    path("medlem/si-din-mening/", feedback.feedback, name="feedback"),
    path("medlem/si-din-mening/sporsmal/<int:poll_id>/", feedback.feedback_poll, name="feedback_poll"),
    path("medlem/si-din-mening/omtale/", feedback.feedback_review, name="feedback_review"),
    path("partner/<slug:slug>/", partners.partner_page, name="partner"),
    path("partner/<slug:slug>/kode/", partners.partner_code, name="partner_code"),
    path("medlem/merker/", achievements.badges, name="badges"),
    path("medlem/gi-poeng/", causes.donate, name="donate"),
    path("medlem/gi-poeng/<int:cause_id>/", causes.donate_to, name="donate_to"),
    path("medlem/vip/", membership.membership, name="membership"),
    path("medlem/vip/<int:plan_id>/prov/", membership.membership_try, name="membership_try"),
    path("medlem/vip/avslutt/", membership.membership_stop, name="membership_stop"),
]
