"""QR codes as inline SVG: sharp on any screen, no image request, works offline."""

import io
import re

import qrcode
import qrcode.image.svg


def svg(data: str) -> str:
    """Return an <svg> element for `data`, scaled by CSS (no fixed width or height)."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    text = buffer.getvalue().decode()
    # Drop the XML declaration (not allowed inside HTML) and the fixed size in millimetres.
    text = text[text.index("<svg") :]
    head, rest = text.split(">", 1)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    return f'{head} class="qr" aria-hidden="true" shape-rendering="crispEdges">{rest}'
