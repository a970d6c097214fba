import json
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    """Writes each message as a JSON file in SMS_FILE_PATH (one file per message)."""

    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_path = Path(file_path or settings.SMS_FILE_PATH)

    def send_messages(self, messages) -> int:
        self.file_path.mkdir(parents=True, exist_ok=True)
        for message in messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            name = self.file_path / f"{stamp}-{uuid.uuid4().hex[:8]}.json"
            name.write_text(
                json.dumps({"to": message.to, "sender": message.sender, "body": message.body}),
                encoding="utf-8",
            )
        return len(messages)
