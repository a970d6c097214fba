"""QR codes as inline SVG: sharp on any screen, no image request, works offline."""

from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def svg(data: str) -> str:
    """Return an <svg> element for `data`, scaled by CSS (no fixed width or height).

    The path is drawn from the module matrix, one horizontal run of dark modules at a time:
    a few hundred bytes and a millisecond, where the library's SVG writer takes ~15 ms.
    """
    return _svg(data)


@lru_cache(maxsize=2048)  # voucher codes never change; card tokens are cheap to redo
def _svg(data: str) -> str:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    size = len(matrix)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" class="qr" '
        f'aria-hidden="true" shape-rendering="crispEdges"><rect width="{size}" height="{size}" '
        f'fill="#fff"/><path d="{"".join(runs)}" fill="#000"/></svg>'
    )
