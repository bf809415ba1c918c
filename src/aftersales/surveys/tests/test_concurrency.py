"""Two submissions of the same survey at the same instant on a real PostgreSQL server: one
answer is stored, the other is told it was answered already."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from aftersales.core.errors import Conflict
from aftersales.surveys import services
from aftersales.surveys.models import Answer, Response
from aftersales.surveys.tests.conftest import GOOD, ensure_default_questions

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); SQLite serialises writers by itself")


def test_a_double_submit_stores_one_answer(postgres, invitation):
    ensure_default_questions()
    barrier = threading.Barrier(2)

    def submit(score: str) -> str:
        try:
            barrier.wait(timeout=10)
            services.survey_answer(invitation, values={**GOOD, "solution": score})
            return "stored"
        except Conflict:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(submit, ["5", "1"]))
    assert outcomes == ["refused", "stored"]
    assert Response.objects.count() == 1
    assert Answer.objects.filter(question__code="solution").count() == 1
