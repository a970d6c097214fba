"""Reads for the owner's dashboard (campaigns may read every app). See selectors.dashboard."""

from campaigns.insights.selectors.dashboard import CUR, PREV, Dashboard, dashboard
from campaigns.insights.selectors.period import Period

__all__ = ["CUR", "PREV", "Dashboard", "Period", "dashboard"]
