from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClubsiteConfig(AppConfig):
    default = True
    name = "clubsite"
    verbose_name = "Lojal"

    def ready(self):
        from clubsite.webhooks import receivers

        receivers.connect()


class ClubAdminConfig(admin_apps.AdminConfig):
    """Django admin, with a site that lets only the owner in."""

    default = False
    default_site = "clubsite.admin_site.ClubAdminSite"
