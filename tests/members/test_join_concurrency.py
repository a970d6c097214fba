"""Two sign-ups with the same address at the same moment: exactly one member."""

import threading

import pytest
from django.db import connection

from members.models import User
from members.services import MembersError, member_join
from tests.conftest import requires_postgres


@requires_postgres()
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_with_one_address_in_two_spellings_make_one_member():
    barrier = threading.Barrier(8)
    outcomes = []

    def attempt(n):
        try:
            barrier.wait()
            email = "kari@example.com" if n % 2 else "KARI@example.com"
            member_join(first_name="Kari", email=email, welcome=False)
            outcomes.append("joined")
        except MembersError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["already_member"] * 7 + ["joined"]
    assert User.objects.filter(email="kari@example.com").count() == 1
