"""Bench campaign_send: one e-mail campaign in a club of 100,000 members, through the real
pipeline.

The members are the dashboard bench's (100,000 with a year of history; e-mail consent for
about 80 %), grown to that size here if this bench runs alone; the campaign goes to a
segment of all of them. Two Celery worker processes (BENCH_CAMPAIGN_WORKERS; the project's
production settings, the broker on Redis) deliver into a backend that records each delivery
as a row in the database (tests.bench.recording_backend), so that what "the provider"
received can be counted afterwards. This process plays beat: a pipeline tick every half
second. When a third of the messages are out, one worker is killed with SIGKILL and a new
one started; the lease after which the dead worker's claim is taken up again is set to 15 s
for the run (production: 10 minutes).

msgs_per_s is the messages sent (not the suppressed) over the time from scheduling to the
last delivery, kill and lease included. bare_msgs_per_s, measured in the same run: one loop
in this process that bulk-inserts the same rows and hands each message to the same backend,
with no rules, no rendering, no locks. duplicates: deliveries beyond one per message (a
worker killed after the provider took a message and before "sent" was committed sends that
one message again, under the same Message-ID: 0 or 1 per kill); missing: messages that
should have gone (not suppressed) without a delivery. segment_count_ms: the count of a
segment (regulars not seen for 30 days) over the same members, median of 3.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import time as clock
from pathlib import Path

import redis
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection
from django.utils import timezone

from campaigns.models import Campaign, CampaignContent, CampaignSettings, Message, Segment, SegmentCondition
from campaigns.segments.selectors import segment_count
from campaigns.sending import pipeline
from campaigns.services import campaign_schedule
from campaigns.tasks import messages_deliver
from clubsite.celery import app
from members.models import Member
from tests.bench import dashboard, dashboard_data
from tests.bench.http_load import production_env
from tests.bench.log import log
from tests.bench.recording_backend import EmailBackend, deliveries_table

MEMBERS = int(os.environ.get("BENCH_CAMPAIGN_MEMBERS", "100000"))  # fewer while working on it
WORKERS = int(os.environ.get("BENCH_CAMPAIGN_WORKERS", "2"))
LEASE_SECONDS = 15
BROKER = "redis://127.0.0.1:6379/12"
ROOT = Path(__file__).resolve().parents[2]


def _worker(env: dict, name: str, logdir: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "clubsite", "worker", "--pool=solo", f"-n={name}@%h"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"]
    out = (logdir / f"worker-{name}.log").open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)  # noqa: S603 - our own command


def _campaign(name: str) -> Campaign:
    segment, _created = Segment.objects.get_or_create(name="Bench: alle")  # no conditions: everyone
    made = Campaign.objects.create(name=name, segment=segment, channel=Campaign.Channel.EMAIL)
    CampaignContent.objects.create(
        campaign=made,
        language="nb",
        subject="Hei {first_name}!",
        body="Du har **{points}** poeng, verdt {points_kr}. [Kortet ditt]({card_link})",
    )
    return made


def _open_rows(made: Campaign) -> int:
    waiting = [Message.Status.QUEUED, Message.Status.CLAIMED, Message.Status.SENDING]
    return made.messages.filter(status__in=waiting).count()


def _send(made: Campaign, env: dict, logdir: Path) -> tuple[float, int]:
    """Run the campaign to the end with WORKERS workers, killing one on the way. Returns
    (seconds, workers killed)."""
    workers = [_worker(env, f"w{i}", logdir) for i in range(WORKERS)]
    killed, last_log = 0, 0.0
    started = time.perf_counter()
    campaign_schedule(campaign=made)
    try:
        while True:
            pipeline.campaigns_run(now=timezone.now(), hand_out=messages_deliver.delay)
            made.refresh_from_db()
            sent = made.messages.filter(status=Message.Status.SENT).count()
            if not killed and made.audience_written_at and sent >= made.messages.count() // 3:
                workers[0].send_signal(signal.SIGKILL)
                workers[0].wait()
                killed += 1
                workers[0] = _worker(env, "w-new", logdir)
                log(f"campaign_send: killed a worker at {sent} sent, started another")
            if time.perf_counter() - last_log >= 10:
                last_log = time.perf_counter()
                log(f"campaign_send: {sent} sent after {last_log - started:.0f}s")
            if made.audience_written_at and _open_rows(made) == 0:
                break
            if time.perf_counter() - started > 900:
                raise RuntimeError(f"campaign_send: not done after 15 minutes ({sent} sent)")
            time.sleep(0.5)
        return time.perf_counter() - started, killed
    finally:
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                worker.terminate()
            worker.wait(timeout=30)


def _bare(count: int) -> float:
    """The same rows bulk-inserted and the same backend called, in one loop: messages/s."""
    made = _campaign("Bench: bare")
    members = list(Member.objects.filter(erased_at=None).values_list("pk", flat=True)[:count])
    backend = EmailBackend()
    started = time.perf_counter()
    rows = Message.objects.bulk_create(
        [Message(campaign=made, member_id=pk) for pk in members], batch_size=2000
    )
    for row in rows:
        email = EmailMessage("Hei", "Tekst", "klubb@bench.example", ["medlem@bench.example"])
        email.extra_headers["Message-ID"] = f"<bare-{row.key}@lojal>"
        backend.send_messages([email])
    return len(rows) / (time.perf_counter() - started)


def _segment_ms() -> float:
    conditions = [
        SegmentCondition(kind=SegmentCondition.Kind.RFM, choice="regular"),
        SegmentCondition(kind=SegmentCondition.Kind.LAST_SEEN, comparison="at_least", number=30),
    ]
    times = []
    for _ in range(3):
        started = time.perf_counter()
        segment_count(Segment.Match.ALL, conditions)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run() -> dict:
    have = Member.objects.count()
    if have < MEMBERS:
        dashboard._grow_to(dashboard_data.templates(timezone.now()), MEMBERS)
    rules = CampaignSettings.load()  # the bench runs at any hour: no quiet hours here
    rules.day_starts, rules.day_ends, rules.quiet_sundays = clock(0), clock(23, 59, 59), False
    rules.save()
    deliveries_table()
    segment_ms = _segment_ms()
    log(f"campaign_send: segment count {segment_ms:.0f} ms")

    db = settings.DATABASES["default"]
    env = production_env(
        f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}", settings.SECRET_KEY
    )
    env.update(
        CELERY_BROKER_URL=BROKER,
        EMAIL_BACKEND="tests.bench.recording_backend.EmailBackend",
        MESSAGE_LEASE_SECONDS=str(LEASE_SECONDS),
        SITE_URL="https://klubb.bench.example",
    )
    redis.Redis.from_url(BROKER).flushdb()
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    saved_lease = settings.LOJAL_MESSAGE_LEASE_SECONDS
    app.conf.update(broker_url=BROKER, task_always_eager=False)
    app._pool, app.amqp._producer_pool = None, None
    settings.LOJAL_MESSAGE_LEASE_SECONDS = LEASE_SECONDS  # this process recovers (plays beat)
    made = _campaign("Bench: kampanje")
    try:
        with tempfile.TemporaryDirectory(prefix="lojal-bench-send-") as tmp:
            seconds, killed = _send(made, env, Path(tmp))
    finally:
        app.conf.update(saved)
        app._pool, app.amqp._producer_pool = None, None
        settings.LOJAL_MESSAGE_LEASE_SECONDS = saved_lease

    sent = made.messages.filter(status=Message.Status.SENT).count()
    suppressed = made.messages.filter(status=Message.Status.SUPPRESSED).count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) - COUNT(DISTINCT message_id) FROM bench_delivery WHERE message_id NOT LIKE %s",
            ["<bare-%"],
        )
        duplicates = cursor.fetchone()[0]
    delivered = set(EmailBackend.delivered_ids())
    expected = made.messages.exclude(status=Message.Status.SUPPRESSED).values_list("key", flat=True)
    missing = sum(1 for key in expected.iterator() if f"<{key}@lojal>" not in delivered)
    log(f"campaign_send: {sent} sent, {suppressed} not sent (rules), {seconds:.0f}s, {duplicates} duplicates")
    bare = _bare(sent)
    rate = sent / seconds
    return {
        "bench": "campaign_send",
        "members": Member.objects.count(),
        "sent": sent,
        "msgs_per_s": round(rate, 1),
        "bare_msgs_per_s": round(bare, 1),
        "ratio": round(rate / bare, 3),
        "duplicates": duplicates,
        "missing": missing,
        "killed_workers": killed,
        "segment_count_ms": round(segment_ms, 1),
    }
