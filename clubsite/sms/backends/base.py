class BaseSmsBackend:
    """Subclasses implement send_messages(messages) -> number sent."""

    def __init__(self, fail_silently: bool = False, **kwargs):
        self.fail_silently = fail_silently

    def send_messages(self, messages) -> int:
        raise NotImplementedError
