"""The staff groups and what each may do.

Groups are created by a data migration (members 0002) and their permissions are kept in
step after every `migrate` (members.apps), so that models added by later apps reach the
owner without another hand-written migration.
"""

OWNER = "Owner"
COUNTER_STAFF = "Counter staff"
CUSTOMER_SERVICE = "Customer service"

ALL = (OWNER, COUNTER_STAFF, CUSTOMER_SERVICE)

# "app" or "app.model" -> the actions ("view", "add", "change", "delete") a role may take.
ROLE_PERMISSIONS: dict[str, dict[str, set[str]]] = {
    OWNER: {
        app: {"view", "add", "change", "delete"}
        for app in (
            "members",
            "rewards",
            "referrals",
            "campaigns",
            "clubsite",
            "socialaccount",
            "account",
            "axes",
        )
    },
    CUSTOMER_SERVICE: {
        "members.member": {"view", "change"},
        "members.user": {"view"},
        "members.consentevent": {"view"},
        "members.location": {"view"},
        # Low survey scores are theirs to follow up (campaigns.admin_nps).
        "campaigns.npsanswer": {"view", "change"},
    },
    COUNTER_STAFF: {"members.member": {"view"}, "members.location": {"view"}},
}


def roles_sync(apps) -> None:
    """Create the groups and set their permissions from ROLE_PERMISSIONS (idempotent).

    `apps` is the app registry: the historical one in a migration, the real one afterwards.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        apps_named = {key.split(".")[0] for key in grants}
        wanted = []
        for perm in Permission.objects.filter(content_type__app_label__in=apps_named).select_related(
            "content_type"
        ):
            ct = perm.content_type
            actions = grants.get(f"{ct.app_label}.{ct.model}") or grants.get(ct.app_label, set())
            if perm.codename.split("_", 1)[0] in actions:
                wanted.append(perm)
        group.permissions.set(wanted)
