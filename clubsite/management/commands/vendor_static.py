"""Copy front-end libraries from the npm registry into static/vendor/ (then commit them).

A fresh machine needs no npm and nothing is loaded from a CDN: the files are in the repo.
Run `make vendor` after changing PACKAGES; it records each version in static/vendor/VERSIONS.json.
"""

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# npm package -> (version, [files inside the package to copy])
PACKAGES = {
    "bootstrap": (
        "5.3.9",
        ["dist/css/bootstrap.min.css", "dist/js/bootstrap.bundle.min.js", "LICENSE"],
    ),
    # Counter: actions update the member panel in place.
    "htmx.org": ("2.0.11", ["dist/htmx.min.js", "LICENSE"]),
    # Counter: scanning with the device camera (loaded on the counter page only).
    "html5-qrcode": ("2.3.8", ["html5-qrcode.min.js", "LICENSE"]),
    # Member card: the rotating code is derived on the phone (HMAC-SHA256), also offline and
    # over plain HTTP, where WebCrypto's crypto.subtle is missing.
    "js-sha256": ("0.11.1", ["build/sha256.min.js", "LICENSE.txt"]),
    # Member card: draws the rotating code's QR on the phone. No LICENSE file in the
    # package: its package.json records the MIT licence.
    "qrcode-generator": ("2.0.4", ["dist/qrcode.js", "package.json"]),
    # Owner's dashboard: the monthly trend charts (loaded on that page only; each chart has
    # a table beside it for screen readers and for reading exact figures).
    "chart.js": ("4.6.1", ["dist/chart.umd.min.js", "LICENSE.md"]),
    # Counter: actions taken while the network is down wait in IndexedDB (a small promise
    # wrapper; the page stores its queue and the members it has shown).
    "idb-keyval": ("6.3.0", ["dist/umd.js", "LICENCE"]),
    # Tests only, loaded by no page: the browser tests inject it to check each page's
    # accessibility (labels, names, roles, contrast) as screen-reader users need it.
    "axe-core": ("4.14.1", ["axe.min.js", "LICENSE"]),
}


def _without_source_map(data: bytes) -> bytes:
    # We do not ship the .map files; a dangling reference would break collectstatic's
    # manifest step (it follows sourceMappingURL comments).
    lines = data.split(b"\n")
    return b"\n".join(line for line in lines if b"sourceMappingURL=" not in line)


class Command(BaseCommand):
    help = "Fetch the front-end libraries in PACKAGES with `npm pack` and copy them to static/vendor."

    def handle(self, *args, **options):
        npm = shutil.which("npm")
        if not npm:
            raise CommandError("npm is needed to update static/vendor (the copies in git need none).")
        vendor = Path(settings.BASE_DIR) / "static" / "vendor"
        versions = {}
        with tempfile.TemporaryDirectory() as tmp:
            for name, (version, files) in PACKAGES.items():
                spec = f"{name}@{version}"
                out = (
                    subprocess.run(  # noqa: S603 - fixed arguments, no shell
                        [npm, "pack", spec, "--silent", "--pack-destination", tmp],
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    .stdout.strip()
                    .splitlines()[-1]
                )
                target = vendor / name
                shutil.rmtree(target, ignore_errors=True)
                with tarfile.open(Path(tmp) / out) as tar:
                    for file in files:
                        member = tar.extractfile(f"package/{file}")
                        if member is None:
                            raise CommandError(f"{spec} has no {file}")
                        dest = target / Path(file).name
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        dest.write_bytes(_without_source_map(member.read()))
                versions[name] = version
                self.stdout.write(f"{spec} -> {target.relative_to(settings.BASE_DIR)}")
        (vendor / "VERSIONS.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
