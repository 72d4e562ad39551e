"""One sign-in per cadre per day under real concurrency (PostgreSQL). A file of its own: its test is transactional, and
under pytest-xdist a file's transactional tests would otherwise flush the database before the other files' tests on
that worker (decision 0101)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.services import token_issue
from attendance.models import SignIn
from tests.attendance.conftest import INSIDE
from tests.attendance.test_signin import URL
from zhucun.testing.world import World


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_parallel_submissions_make_one_row(world: World, clock: Any) -> None:
    """One record per cadre per day is guaranteed by the database, under real concurrency."""
    import os

    if connection.vendor != "postgresql":
        if os.environ.get("ZHUCUN_REQUIRE_POSTGRES"):
            pytest.fail("this test must run on PostgreSQL in CI")
        pytest.skip("real concurrency needs PostgreSQL")
    key = token_issue(user=world.personas["cadre"])
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    ids: list[int] = []
    lock = threading.Lock()

    def submit() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        barrier.wait()
        try:
            response = client.post(URL, {"client_id": str(uuid.uuid4()), **INSIDE}, format="json")
            with lock:
                statuses.append(response.status_code)
                ids.append(response.json()["id"])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert SignIn.objects.count() == 1
    assert sorted(statuses) == [200] * 19 + [201]
    assert len(set(ids)) == 1
