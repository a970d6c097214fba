"""Every write of the campaigns app. Views, admin actions, tasks and commands call these."""

from campaigns.services.retention import RetentionRun, members_with_last_activity, retention_sweep

__all__ = ["RetentionRun", "members_with_last_activity", "retention_sweep"]
