from django.urls import path

from rewards import views

app_name = "rewards"

urlpatterns = [
    path("kasse/", views.counter, name="counter"),
]
