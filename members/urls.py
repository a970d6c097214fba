from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("bli-medlem/", views.join, name="join"),
    path("medlem/velkommen/", views.welcome, name="welcome"),
    path("medlem/kort/", views.card, name="card"),
    path("medlem/sporsmal/<str:field>/", views.answer, name="answer"),
    path("medlem/profil/", views.profile, name="profile"),
    path("medlem/samtykker/", views.consents, name="consents"),
    path("medlem/mine-data/", views.my_data, name="my_data"),
    path("medlem/slett/", views.delete_account, name="delete"),
    path("medlem/sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("avmeld/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
