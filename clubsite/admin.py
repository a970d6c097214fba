"""Admin of the project app: the outgoing webhooks."""

from clubsite.webhooks import admin  # noqa: F401 - registers the webhook admin
