"""Reads for the owner's dashboard (campaigns may read every app). See selectors.dashboard."""

from campaigns.selectors.dashboard import CUR, PREV, Dashboard, dashboard
from campaigns.selectors.period import Period

__all__ = ["CUR", "PREV", "Dashboard", "Period", "dashboard"]
