"""The raw SQL baselines share: the essential work of one wallet credit, written out.

No Django import here: the bare WSGI app of counter_credit (no INSTALLED_APPS) uses it as
well as ledger_ops' psycopg workers.
"""

RAW_LOCK = "SELECT balance FROM rewards_wallet WHERE id = %s FOR UPDATE"
RAW_OPERATION = (
    "INSERT INTO rewards_operation (key, kind, fingerprint, wallet_id, result, created_at)"
    " VALUES (%s, %s, '', %s, '{}', now()) RETURNING id"
)
RAW_ENTRY = (
    "INSERT INTO rewards_ledgerentry (wallet_id, operation_id, kind, points, remaining, expires_at,"
    " qualifying, amount_ore, reason, location_id, staff_id, reverses_id, membership_points, action,"
    " created_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, NULL, NULL, 0, '', now()) RETURNING id"
)
RAW_BALANCE = "UPDATE rewards_wallet SET balance = %s, updated_at = now() WHERE id = %s"
RAW_LOT = "UPDATE rewards_ledgerentry SET remaining = remaining - %s WHERE id = %s"
