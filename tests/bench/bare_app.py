"""The "bare" counter credit of the counter_credit bench: a WSGI app, its URLs and its view.

POST /bare/<wallet_id>/ with `nonce` and `amount` (as the till sends them) does, in one
transaction, the database work the brief names as essential, with the raw SQL of
tests.bench.ledger_ops: SELECT the wallet FOR UPDATE, INSERT an operation (the nonce is its
key), INSERT the ledger entry (an earn lot: remaining == points, so wallets_reconcile agrees),
UPDATE the balance. It answers a few bytes of text. Served by gunicorn with
tests.bench.bare_settings (no middleware), it is the denominator of the real counter action.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import path

from tests.bench.bare_view import credit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.bare_settings")

urlpatterns = [path("bare/<int:wallet_id>/", credit)]

application = get_wsgi_application()
gc.freeze()  # as clubsite/wsgi.py does for the real server: the comparison is like for like
