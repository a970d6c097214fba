from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from django.apps import apps

    from members.roles import roles_sync

    roles_sync(apps)


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        # After every migrate (sent once per app, so the last run sees every model): give the
        # roles the permissions of models added since.
        post_migrate.connect(_sync_roles, dispatch_uid="members.sync_roles")
