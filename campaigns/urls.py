from django.urls import path

from campaigns import views as sending
from campaigns.insights import views

app_name = "campaigns"

urlpatterns = [
    path("dashbord/", views.dashboard, name="dashboard"),
    path("dashbord/<slug:table>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("k/<str:token>/", sending.click, name="click"),
]
