"""The app works behind PgBouncer in transaction pooling (README, production), with the
settings' switch PGBOUNCER_TRANSACTION_POOLING: a real PgBouncer in front of the test
database, the app's work in a process of its own (pgbouncer_client.py)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import requires_postgres

PGBOUNCER = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")

pytestmark = [
    requires_postgres(),
    pytest.mark.skipif(PGBOUNCER is None, reason="needs PgBouncer (apt-get install pgbouncer)"),
    pytest.mark.django_db(transaction=True),
]

CONFIG = """[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {dir}/users.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 100
logfile = {dir}/pgbouncer.log
pidfile = {dir}/pgbouncer.pid
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def pgbouncer():
    db = connection.settings_dict
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    folder.chmod(0o755)  # PgBouncer refuses to run as root: it runs as postgres, and reads here
    port = free_port()
    (folder / "pgbouncer.ini").write_text(
        CONFIG.format(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, listen=port, dir=folder)
    )
    (folder / "users.txt").write_text(f'"{db["USER"]}" ""\n')
    shutil.chown(folder, "postgres") if os.geteuid() == 0 else None
    command = [PGBOUNCER, *(["-u", "postgres"] if os.geteuid() == 0 else []), str(folder / "pgbouncer.ini")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    else:
        process.kill()
        pytest.fail(f"PgBouncer did not start: {process.stdout.read().decode()}")
    yield f"postgres://{db['USER']}@127.0.0.1:{port}/{db['NAME']}"
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(folder, ignore_errors=True)


def run_client(url: str, **env) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.clubsite.pgbouncer_client"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_tills_nightly_iterators_and_the_dashboard_work_through_pgbouncer_in_transaction_pooling(pgbouncer):
    done = run_client(pgbouncer, PGBOUNCER_TRANSACTION_POOLING="1")
    assert done["errors"] == []
    assert (done["server_side_cursors"], done["prepare_threshold"]) == (False, None)
    assert done["members"] == 4
    assert done["balances"] == [1000] * 4  # ten purchases of 100 kr each, 1 point per krone
    assert done["revenue_ore"] == 4 * 10 * 10_000
