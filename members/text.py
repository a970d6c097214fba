"""People's names as they are typed: the one place that cleans them."""

from __future__ import annotations

import re

from django.db import models

# Unicode's directional controls: embeddings and overrides (U+202A to U+202E), isolates
# (U+2066 to U+2069) and the marks (U+200E, U+200F, U+061C). In a name they serve only to make it
# show as another name: "\u202enesnaH iraK" shows as "Kari Hansen", the name staff confirm.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def name_clean(value: str | None) -> str:
    """A name without directional controls, its runs of spaces made one, trimmed."""
    return " ".join(BIDI_CONTROLS.sub("", value or "").split())


class NameField(models.CharField):
    """A person's name, cleaned by name_clean() whichever way it arrives: a form (join,
    profile, admin), a service, the member import or a social login all save through it."""

    def to_python(self, value):
        value = super().to_python(value)
        return name_clean(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = name_clean(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
