from django.urls import path

from campaigns.insights import views

app_name = "campaigns"

urlpatterns = [
    path("dashbord/", views.dashboard, name="dashboard"),
    path("dashbord/<slug:table>.csv", views.dashboard_csv, name="dashboard_csv"),
]
