"""Fixtures for the project-level tests: a real webhook receiver on 127.0.0.1."""

import pytest

from clubsite.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()
