from django.urls import path

from rewards import views

app_name = "rewards"

urlpatterns = [
    path("kasse/", views.counter, name="counter"),
    path("medlem/lommebok/", views.wallet, name="wallet"),
    path("medlem/historikk/", views.history, name="history"),
    path("medlem/belonninger/", views.catalogue, name="catalogue"),
    path("medlem/belonninger/<int:reward_id>/hent/", views.redeem, name="redeem"),
    path("medlem/kupong/<str:code>/", views.voucher, name="voucher"),
    path("medlem/kupong/<str:code>/lever-tilbake/", views.voucher_cancel, name="voucher_cancel"),
]
