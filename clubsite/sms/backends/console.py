import sys
import threading

from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    """Prints each message, so `make run` shows login codes in the terminal."""

    _lock = threading.Lock()

    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout

    def send_messages(self, messages) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(
                    f"--- SMS from {message.sender} to {message.to} ---\n{message.body}\n{'-' * 40}\n"
                )
            self.stream.flush()
        return len(messages)
