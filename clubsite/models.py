"""Models of the project app: the outgoing webhooks (clubsite.webhooks)."""

from clubsite.webhooks.models import Attempt, Delivery, Endpoint, Event, EventType

__all__ = ["Attempt", "Delivery", "Endpoint", "Event", "EventType"]
