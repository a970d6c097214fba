"""The owner's settings as every purchase reads them: cached, and changes reach the tills."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from rewards import config as settings_cache
from rewards.models import PointsProgram

pytestmark = pytest.mark.django_db


def test_a_change_saved_in_this_process_is_read_at_once(program):
    assert settings_cache.config().program.points_per_krone == Decimal(1)

    program.points_per_krone = Decimal(2)
    program.save()

    assert settings_cache.config().program.points_per_krone == Decimal(2)


def test_a_change_made_by_another_process_is_read_within_a_few_seconds(program, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(settings_cache.time, "monotonic", lambda: clock[0])
    settings_cache.config()
    # Another process saves: the row changes and the shared cache entry is dropped, but
    # this process's copy is not (no signal reaches it).
    PointsProgram.objects.filter(pk=program.pk).update(points_per_krone=Decimal(3))
    cache.delete(settings_cache.KEY)

    clock[0] += settings_cache.LOCAL_SECONDS - 0.5
    still = settings_cache.config().program.points_per_krone
    clock[0] += 1
    later = settings_cache.config().program.points_per_krone

    assert (still, later) == (Decimal(1), Decimal(3))
