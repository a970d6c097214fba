"""The workers' e-mail provider in tests/campaigns/test_sending_workers.py: Django's file
backend, a little slow (as a provider's HTTP call is), so that a batch takes long enough for
the test to kill a worker in the middle of one."""

from __future__ import annotations

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def send_messages(self, email_messages) -> int:
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0.02")) * len(email_messages))
        return super().send_messages(email_messages)
