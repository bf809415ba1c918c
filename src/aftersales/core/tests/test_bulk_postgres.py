"""A large load on PostgreSQL drops the plain indexes and the foreign keys of the tables it
writes, and leaves them all as they were: rebuilt, restored and validated."""

import pytest
from django.db import connection

from aftersales.core import bulk
from aftersales.search.selectors import search_filter
from aftersales.service_requests.models import ServiceRequest

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def _schema() -> tuple[set[tuple[str, str]], set[tuple[str, str, bool]]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE contype = 'f'"
        )
        keys = set(cursor.fetchall())
    return indexes, keys


def test_a_large_load_leaves_every_index_and_foreign_key_as_it_was(postgres, monkeypatch):
    monkeypatch.setattr(bulk, "INDEX_REBUILD_FROM", 1)
    indexes, keys = _schema()
    dropped = bulk._plain_indexes(bulk.WRITE_ORDER)
    assert {"search_public_gin", "search_all_gin"} <= {name for name, _d in dropped}
    assert bulk._foreign_keys(bulk.WRITE_ORDER)

    result = bulk.bulk_seed(count=400, days=30)

    assert _schema() == (indexes, keys)
    assert all(valid for _name, _definition, valid in keys)
    assert result.requests == ServiceRequest.objects.count() == 400
    found = search_filter(ServiceRequest.objects.all(), "制冷", include_internal=True)
    assert 0 < found.count() < 400
