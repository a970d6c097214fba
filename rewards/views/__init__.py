"""Views of the rewards app: the member's wallet pages and the counter at the till."""
