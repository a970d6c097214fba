"""The WSGI entry point loads every view up front and freezes what it loaded out of the GC."""

import os
import subprocess
import sys

PROBE = """
import gc, sys
import clubsite.wsgi
loaded = ('rewards.views.counter' in sys.modules, 'campaigns.insights.views' in sys.modules)
print(gc.get_freeze_count(), *loaded)
"""


def test_a_worker_starts_with_the_views_imported_and_its_objects_frozen():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clubsite.settings", "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    shown = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, counter_view, dashboard_view = int(shown[0]), shown[1], shown[2]
    assert counter_view == dashboard_view == "True"
    assert frozen > 50_000  # the modules, classes and settings of the whole project
