"""The nightly jobs in a process of their own (tests.bench.nightly_jobs): prints one JSON
line with the time of each job and the process's peak resident memory."""

from __future__ import annotations

import json
import resource
import sys
import time


def main(url: str) -> None:
    from tests.bench.__main__ import configure_django

    configure_django(url)
    from django.conf import settings
    from django.utils import timezone

    # The warnings' e-mail would pile up in the test settings' outbox, in this process's memory.
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

    from campaigns.flows.services import flows_enter
    from members.models import Club
    from members.services.retention import retention_sweep
    from rewards.services import points_expire_due

    club = Club.load()
    club.retention_months = 12
    club.save(update_fields=["retention_months"])
    from campaigns.flows.services import flow_switch
    from tests.bench.flows_tick import _flows_on

    steps = _flows_on()  # every flow on, as flows_tick has them
    now, times, done = timezone.now(), {}, {}
    # The peak so far (MB) before the jobs (Django, the flows switched on) and after each.
    peaks = {"before": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    for name, job in (
        ("expiry", lambda: points_expire_due(now=now)),
        ("retention", lambda: retention_sweep(now=now).warned),
        ("flows", lambda: flows_enter(now=now)),
    ):
        started = time.perf_counter()
        done[name] = job()
        times[name] = round((time.perf_counter() - started) * 1000, 1)
        peaks[name] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # MB so far
    for flow, _step in steps:  # off again, as the other benches expect them
        flow_switch(flow=flow, on=False)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(
        json.dumps(
            {
                "ms": round(sum(times.values()), 1),
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "times": times,
                "done": done,
                "peaks": peaks,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
