"""The pipeline with real Celery worker processes on Redis and PostgreSQL (issue 15).

The workers are separate processes running the project's production settings, writing each
e-mail to a file (Django's filebased backend, 20 ms a message as a provider's call takes),
so that what the provider would have received can be counted from here: a delivery task
that arrives twice sends once, and a worker killed with SIGKILL in the middle of a batch
leaves every member with exactly one message.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from campaigns.models import CampaignSettings, Message
from campaigns.sending import pipeline
from campaigns.services import campaign_schedule
from campaigns.tasks import messages_deliver
from clubsite.celery import app
from tests.campaigns.sending_helpers import campaign, subscriber
from tests.clubsite.redis_server import needs_redis, redis_url
from tests.conftest import requires_postgres

# A broker database per test process: two processes flushing one would take each other's tasks.
REDIS_URL = redis_url(8 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")) % 6)
ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    requires_postgres(),
    needs_redis(REDIS_URL),
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def broker():
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    app._pool, app.amqp._producer_pool = None, None  # built for the old broker: forget them
    redis.Redis.from_url(REDIS_URL).flushdb()
    yield
    app.conf.update(saved)
    app._pool, app.amqp._producer_pool = None, None


@pytest.fixture
def workers(tmp_path):
    """Start worker processes on demand; all are stopped after the test."""
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clubsite.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "CELERY_BROKER_URL": REDIS_URL,
        "CACHE_URL": "locmemcache://",
        "EMAIL_BACKEND": "tests.campaigns.slow_mail.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "SITE_URL": "https://klubb.example",
    }
    started: list[subprocess.Popen] = []

    def start(name: str) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "clubsite", "worker", "--pool=solo", f"-n={name}@%h"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"]
        log = (tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
        started.append(process)
        return process

    start.mail = tmp_path / "mail"
    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)


def sent_keys(mail_dir: Path) -> list[str]:
    """The Message-ID of every e-mail the workers handed to the (file) provider."""
    text = "".join(path.read_text(errors="replace") for path in mail_dir.glob("*.log"))
    return re.findall(r"^Message-ID: <([^@>]+)@lojal>", text, flags=re.MULTILINE)


def _settled(made) -> bool:
    """No message has moved for a second (the second worker has finished its tasks)."""
    before = made.messages.filter(status=Message.Status.SENT).count()
    time.sleep(1)
    return made.messages.filter(status=Message.Status.SENT).count() == before


def wait_until(check, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def ready_campaign(db):
    rules = CampaignSettings.load()  # the suite runs at any hour: no quiet hours here
    rules.day_starts, rules.quiet_sundays = rules.day_starts.replace(hour=0), False
    rules.day_ends = rules.day_ends.replace(hour=23, minute=59)
    rules.save()

    def make(members: int):
        for _ in range(members):
            subscriber()
        made = campaign()
        campaign_schedule(campaign=made)
        pipeline.campaign_audience_write(campaign=made)
        return made

    return make


def test_a_delivery_task_that_reaches_the_workers_twice_sends_once(broker, workers, ready_campaign):
    made = ready_campaign(20)
    workers("one"), workers("two")
    ids = pipeline.messages_claim(limit=100)

    messages_deliver.delay(ids)
    messages_deliver.delay(ids)
    wait_until(lambda: made.messages.filter(status=Message.Status.SENT).count() == 20)
    queue = redis.Redis.from_url(REDIS_URL)
    wait_until(lambda: queue.llen("celery") == 0)  # both tasks taken
    wait_until(lambda: _settled(made) and len(sent_keys(workers.mail)) >= 20)

    keys = sent_keys(workers.mail)
    assert len(keys) == 20 and len(set(keys)) == 20


def test_a_worker_killed_mid_batch_leaves_every_member_exactly_one_message(broker, workers, ready_campaign):
    made = ready_campaign(300)
    first = workers("first")
    while ids := pipeline.messages_claim(limit=25):
        messages_deliver.delay(ids)

    wait_until(lambda: made.messages.filter(status=Message.Status.SENT).count() >= 40)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = made.messages.filter(status=Message.Status.SENT).count()
    assert killed_at < 300, "the worker finished before it could be killed"

    workers("second")
    queue = redis.Redis.from_url(REDIS_URL)
    wait_until(lambda: queue.llen("celery") == 0)  # the batches still queued are taken
    wait_until(lambda: _settled(made))
    stuck = made.messages.exclude(status=Message.Status.SENT).count()
    assert stuck > 0, "the killed worker left nothing behind: the test proved no recovery"
    # The dead worker's claim comes back after the lease: beat's tick then hands it out again.
    pipeline.campaigns_run(
        now=timezone.now() + pipeline.lease() + timedelta(minutes=1), hand_out=messages_deliver.delay
    )
    wait_until(lambda: made.messages.filter(status=Message.Status.SENT).count() == 300, seconds=120)

    keys = sent_keys(workers.mail)
    per_member = {str(key) for key in made.messages.values_list("key", flat=True)}
    assert set(keys) == per_member  # every member got their message, under their one key
    connection.close()
