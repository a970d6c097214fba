"""The owner's catalogue: reward images get a small thumbnail for phones."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps

from rewards.models import Reward

THUMBNAIL_SIZE = (600, 400)


@transaction.atomic
def reward_thumbnail_refresh(*, reward: Reward) -> Reward:
    """Make (or drop) the thumbnail from the uploaded image: at most 600x400, JPEG, EXIF
    orientation applied, so that the member's phone downloads tens of kB, not megabytes."""
    if not reward.image:
        if reward.thumbnail:
            reward.thumbnail.delete(save=False)
        Reward.objects.filter(pk=reward.pk).update(thumbnail="")
        return reward
    reward.image.open("rb")
    with Image.open(reward.image) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=82, optimize=True)
    name = f"{Path(reward.image.name).stem}-thumb.jpg"
    reward.thumbnail.save(name, ContentFile(buffer.getvalue()), save=False)
    Reward.objects.filter(pk=reward.pk).update(thumbnail=reward.thumbnail.name)
    return reward
