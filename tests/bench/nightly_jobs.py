"""Bench nightly_jobs: the night's batch jobs over the dashboard bench's club, at 10,000 and
at 100,000 members, each run in a process of its own so that its peak memory is its own.

The jobs, one after the other as beat runs them: points expiry (every lot that has lapsed:
the bench's history has a year of them), the retention sweep (the club keeps members 12
months: who is warned, who erased) and one flows tick (every flow's trigger). Each walks
the club a batch of ids at a time (clubsite.batches), so memory should not grow with it.

Line: members (the larger size), ms (the three jobs at that size), peak_rss_mb (the child
process's peak resident memory, the Python interpreter and Django included), growth_10x
(ms at 100,000 ÷ ms at 10,000; linear growth is 10).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.db import connection
from django.utils import timezone

from members.models import Member
from tests.bench import dashboard, dashboard_data
from tests.bench.log import log

_measured: dict[int, dict] = {}


def run_at(members: int) -> None:
    """Run the jobs in a child process on the bench's database (called at each size)."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    result = subprocess.run(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "tests.bench.nightly_child", url],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"nightly jobs failed: {result.stderr[-3000:]}")
    done = json.loads(result.stdout.strip().splitlines()[-1])
    log(f"nightly jobs at {members}: {done}")
    _measured[members] = done


def run() -> dict:
    for size in (dashboard.SMALL, dashboard.LARGE):
        if size not in _measured:  # the dashboard bench did not run before this one
            if Member.objects.count() < size:
                dashboard._grow_to(dashboard_data.templates(timezone.now()), size)
            run_at(size)
    small, large = dashboard.SMALL, dashboard.LARGE
    return {
        "bench": "nightly_jobs",
        "members": large,
        "ms": _measured[large]["ms"],
        "peak_rss_mb": _measured[large]["peak_rss_mb"],
        "growth_10x": round(_measured[large]["ms"] / _measured[small]["ms"], 2),
    }
