from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("verv/", views.enter, name="enter"),
    path("verv/<str:code>/", views.landing, name="landing"),
    path("medlem/verv/", views.invite, name="invite"),
    # Before the counter's own /kasse/<id>/medlem/<number>/<action>/ (clubsite.urls orders them).
    path("kasse/<int:location_id>/medlem/<str:number>/verving/", views.counter_code, name="counter_code"),
]
