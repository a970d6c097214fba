"""The demo's API key for the register at Grünerløkka (all scopes), and a webhook endpoint
for the register simulator. Real keys and secrets are random and shown once; the demo's are
fixed so that the README's curl examples and `manage.py pos_simulator` work against
`make run` as they are.
"""

from __future__ import annotations

from rest_framework_api_key.crypto import KeyGenerator

from clubsite.webhooks.models import Endpoint, EventType
from members.models import Location
from rewards.models import PosKey, Scope

DEMO_PREFIX = "demokass"
DEMO_KEY = f"{DEMO_PREFIX}.lojal-demo-kasse-grunerlokka-2026"  # printed in the banner
# Kari's member number in the demo, so that the README and the simulator can name her.
KARI_NUMBER = "KARN4567"
# Where `manage.py pos_simulator` listens for webhooks, and the secret it checks them with.
SIMULATOR_PORT = 8765
SIMULATOR_SECRET = "whsec_bG9qYWwtZGVtby1rYXNzZXNpbXVsYXRvcg=="  # noqa: S105 - the demo's, published


def load_api_demo(location: Location) -> None:
    hashed = KeyGenerator().hash(DEMO_KEY)
    PosKey.objects.create(
        id=f"{DEMO_PREFIX}.{hashed}",
        prefix=DEMO_PREFIX,
        hashed_key=hashed,
        name="Kassesystem Grünerløkka",
        location=location,
        scopes=list(Scope.values),
    )
    Endpoint.objects.create(
        url=f"http://127.0.0.1:{SIMULATOR_PORT}/webhooks",
        description="Kassesimulatoren på denne maskinen",
        events=list(EventType.values),
        secret=SIMULATOR_SECRET,
    )
