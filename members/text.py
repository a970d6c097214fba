"""People's names as they are typed: the one place that cleans them."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.db import models
from django.utils.text import slugify

# Unicode's directional controls: embeddings and overrides (U+202A to U+202E), isolates
# (U+2066 to U+2069) and the marks (U+200E, U+200F, U+061C). In a name they serve only to make it
# show as another name: "\u202enesnaH iraK" shows as "Kari Hansen", the name staff confirm.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


# Letters that Unicode does not decompose into a base letter and an accent, so that
# slugify() would drop them ("Bakeriet på Hjørnet" -> "bakeriet-pa-hjrnet").
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L"}
)


def ascii_slug(text: str) -> str:
    """A file or URL name from a name, every letter kept: "bakeriet-pa-hjornet"."""
    return slugify((text or "").translate(_UNDECOMPOSED))


def short_name(name: str, *, limit: int = 12) -> str:
    """A name shortened for a phone's home screen: whole words that fit in `limit`
    characters, without a trailing little word ("Bakeriet på" -> "Bakeriet"); a first word
    longer than that is cut."""
    words, kept = name.split(), []
    for word in words:
        if len(" ".join([*kept, word])) > limit:
            break
        kept.append(word)
    while len(kept) > 1 and len(kept[-1]) <= 2 and not kept[-1].isdigit():  # "på", "i", "og", "&"
        kept.pop()
    return " ".join(kept) if kept else name.strip()[:limit]


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


def contact_hashes(*, email: str | None, phone: str | None) -> list[str]:
    """Keyed one-way hashes of an e-mail address (lower case) and a phone number (E.164):
    the same person's address gives the same hash, and the hash does not give the address
    back. For rules that must outlive an erased member (a welcome gift once per person)."""
    values = [f"email:{email.strip().lower()}" if email else "", f"phone:{phone}" if phone else ""]
    key = settings.SECRET_KEY.encode()
    return [hmac.new(key, value.encode(), hashlib.sha256).hexdigest() for value in values if value]
