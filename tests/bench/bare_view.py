"""The view of the bare counter credit (see tests.bench.bare_app), apart from the WSGI app
so that tests.bench.urls can serve it too, behind the project's middleware, without the
app's start-up (its own settings, gc.freeze()).
"""

from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_POST

from tests.bench.raw_sql import RAW_BALANCE, RAW_ENTRY, RAW_LOCK, RAW_OPERATION


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
