from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from clubsite import views
from members import views as member_views

urlpatterns = [
    path("", views.home, name="home"),
    path("vilkar/", views.terms, name="terms"),
    # Generated from the club's settings (members.privacy), so it lives with the members app.
    path("personvern/", member_views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Joining is our three-field form; allauth's own sign-up page leads there.
    path("accounts/signup/", RedirectView.as_view(pattern_name="members:join", query_string=True)),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # The e-mail provider's tracking webhooks (delivered, bounced, spam): campaigns.receivers.
    path("anymail/", include("anymail.urls")),
    # The POS and web-shop API, its schema and docs (rewards/api/).
    path("api/v1/", include("rewards.api.urls")),
    path("", include("members.urls")),
    # Before rewards: its counter pattern /kasse/<id>/medlem/<number>/<action>/ would take
    # the referral code's /kasse/<id>/medlem/<number>/verving/ for an unknown action.
    path("", include("referrals.urls")),
    path("", include("rewards.urls")),
    path("", include("campaigns.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
