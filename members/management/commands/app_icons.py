"""Draw the home-screen icons of the installable card in the club's colour.

The icons are committed under static/icons/ (drawn in the default colour); an owner who
changes the brand colour or name runs this once, then collectstatic, to match.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw, ImageFont

from members.models import Club

SIZES = (192, 512)


class Command(BaseCommand):
    help = "Draw static/icons/icon-192.png and icon-512.png in the club's colour."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "static" / "icons"))

    def handle(self, *args, out, **options):
        club = Club.load()
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for size in SIZES:
            path = folder / f"icon-{size}.png"
            draw_icon(size=size, colour=club.brand_colour, letter=(club.name[:1] or "L").upper()).save(
                path, optimize=True
            )
            self.stdout.write(f"Wrote {path}")


def draw_icon(*, size: int, colour: str, letter: str) -> Image.Image:
    """A white card with the club's initial on a full-bleed coloured square.

    Everything that matters sits in the middle 80 %, the safe zone of a "maskable" icon,
    so that a phone may crop it to a circle or a rounded square.
    """
    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    card_w, card_h = size * 0.56, size * 0.38
    left, top = (size - card_w) / 2, (size - card_h) / 2
    draw.rounded_rectangle((left, top, left + card_w, top + card_h), radius=size * 0.04, fill="white")
    font = ImageFont.load_default(size=int(card_h * 0.7))
    draw.text((size / 2, size / 2), letter, fill=colour, font=font, anchor="mm")
    return image
