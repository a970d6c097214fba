"""Output discipline: results are JSON lines on the real stdout, everything else on stderr.

__main__ points sys.stdout at stderr for the whole run (so a stray print from Django, a
management command or a library cannot corrupt the results) and keeps the real stdout here.
"""

from __future__ import annotations

import json
import sys
import time

_results = sys.stdout
_started = time.monotonic()


def capture_stdout() -> None:
    """Keep the real stdout for results; send everything else that prints to stderr."""
    global _results
    _results = sys.stdout
    sys.stdout = sys.stderr


def log(message: str) -> None:
    print(f"[bench {time.monotonic() - _started:6.1f}s] {message}", file=sys.stderr, flush=True)


def emit(result: dict) -> None:
    """One result line; flushed at once so that a later failure cannot lose it."""
    _results.write(json.dumps(result) + "\n")
    _results.flush()
