"""A card's stamps are drawn as one dot per slot, the filled ones first, with a spoken label."""

import re

from django.template import Context, Template
from django.utils import translation

from rewards.models import StampCard
from rewards.selectors import CardState


def _drawn(stamps: int, needed: int, language: str = "nb", margin: str = "") -> str:
    tag = f'{{% stamps state margin="{margin}" %}}' if margin else "{% stamps state %}"
    template = Template("{% load stamps %}" + tag)
    with translation.override(language):
        return template.render(Context({"state": CardState(StampCard(stamps_needed=needed), stamps)}))


def test_three_of_eight_stamps_are_three_filled_dots_and_five_empty_ones():
    html = _drawn(3, 8)
    dots = re.findall(r'<span class="stamp( filled)?"></span>', html)
    assert dots == [" filled"] * 3 + [""] * 5
    assert 'role="img"' in html and 'aria-label="3 av 8 stempler"' in html
    assert 'class="stamps mb-2"' in html


def test_the_label_speaks_the_members_language_and_the_margin_can_be_set():
    html = _drawn(8, 8, language="en", margin="0")
    assert 'aria-label="8 of 8 stamps"' in html and 'class="stamps mb-0"' in html
    assert html.count("stamp filled") == 8
