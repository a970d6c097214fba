from django.urls import path

from rewards import views, views_counter

app_name = "rewards"

urlpatterns = [
    path("kasse/", views_counter.counter_home, name="counter"),
    path("kasse/<int:location_id>/", views_counter.counter_page, name="counter_page"),
    path("kasse/<int:location_id>/finn/", views_counter.counter_find, name="counter_find"),
    path("kasse/<int:location_id>/medlem/<str:number>/", views_counter.counter_member, name="counter_member"),
    path(
        "kasse/<int:location_id>/medlem/<str:number>/<slug:action>/",
        views_counter.counter_action,
        name="counter_action",
    ),
    path("medlem/lommebok/", views.wallet, name="wallet"),
    path("medlem/historikk/", views.history, name="history"),
    path("medlem/belonninger/", views.catalogue, name="catalogue"),
    path("medlem/belonninger/<int:reward_id>/hent/", views.redeem, name="redeem"),
    path("medlem/kupong/<str:code>/", views.voucher, name="voucher"),
    path("medlem/kupong/<str:code>/lever-tilbake/", views.voucher_cancel, name="voucher_cancel"),
]
