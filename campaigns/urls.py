from django.urls import path

from campaigns import views as sending
from campaigns.insights import views
from campaigns.planning import views as planning

app_name = "campaigns"

urlpatterns = [
    path("dashbord/", views.dashboard, name="dashboard"),
    path("dashbord/<slug:table>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("dashbord/bruk/", views.usage_page, name="usage"),
    path("kalender/", planning.calendar_page, name="calendar"),
    path("k/<str:token>/", sending.click, name="click"),
    path("nps/<str:token>/", sending.nps, name="nps"),
]
