"""The campaign_send bench's e-mail "provider": each message handed over is a row in the
bench database, so that deliveries can be counted by the bench process afterwards (the
workers are other processes). Written with Django's connection, outside any transaction
of the pipeline's: what the provider received stays received."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

TABLE = "bench_delivery"


def deliveries_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, message_id text, recipient text)"
        )


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        with connection.cursor() as cursor:
            for message in email_messages:
                cursor.execute(
                    f"INSERT INTO {TABLE} (message_id, recipient) VALUES (%s, %s)",  # noqa: S608 - a constant
                    [message.extra_headers.get("Message-ID", ""), ",".join(message.to)],
                )
        return len(email_messages)

    @staticmethod
    def delivered_ids() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT message_id FROM {TABLE}")  # noqa: S608 - a constant
            return [row[0] for row in cursor.fetchall()]
