"""Kind labels come from the choices enum, translated, the same as get_kind_display()."""

import pytest
from django.utils import translation

from rewards.models import CounterAction, LedgerEntry


@pytest.mark.parametrize("language", ["nb", "en", "sv"])
@pytest.mark.parametrize("model", [CounterAction, LedgerEntry])
def test_every_kind_label_is_the_translated_display_value(model, language):
    with translation.override(language):
        for kind in model.Kind:
            row = model(kind=kind.value)
            assert row.kind_label == row.get_kind_display()
            assert isinstance(row.kind_label, str)


def test_a_purchase_is_labelled_in_norwegian_by_default():
    with translation.override("nb"):
        assert LedgerEntry(kind="earn").kind_label != "purchase"
        assert CounterAction(kind="undo").kind_label != "undone"


def test_a_kind_no_longer_among_the_choices_shows_its_stored_value():
    assert LedgerEntry(kind="legacy").kind_label == "legacy"
