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
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.views.decorators.http import require_POST

from tests.bench.raw_sql import RAW_BALANCE, RAW_ENTRY, RAW_LOCK, RAW_OPERATION

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.bare_settings")


@require_POST
def credit(request, wallet_id: int):
    nonce, amount = request.POST.get("nonce", ""), request.POST.get("amount", "")
    kroner, _sep, ore = amount.partition(",")
    if len(nonce) != 32 or not kroner.isdigit():
        return HttpResponseBadRequest("nonce and amount, please")
    amount_ore = int(kroner) * 100 + int((ore + "00")[:2] or 0)
    points = amount_ore // 100  # 1 point per krone, as the default program
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(RAW_LOCK, (wallet_id,))
        (balance,) = cur.fetchone()
        cur.execute(RAW_OPERATION, (f"bare:{nonce}", "purchase", wallet_id))
        (operation_id,) = cur.fetchone()
        cur.execute(RAW_ENTRY, (wallet_id, operation_id, "earn", points, points, None, True, amount_ore, ""))
        cur.execute(RAW_BALANCE, (balance + points, wallet_id))
    return HttpResponse(f"{balance + points}", content_type="text/plain")


urlpatterns = [path("bare/<int:wallet_id>/", credit)]

application = get_wsgi_application()
gc.freeze()  # as clubsite/wsgi.py does for the real server: the comparison is like for like
