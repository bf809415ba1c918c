"""Full-text search over service requests (see docs/architecture.md, "Search")."""

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from aftersales.search import schema, tokens
from aftersales.service_requests.models import ServiceRequest


def _fts5_query(terms: list[tuple[str, bool]], *, public_only: bool) -> str:
    column = "public : " if public_only else ""
    return " AND ".join(f'{column}"{token}"{"*" if prefix else ""}' for token, prefix in terms)


def _tsquery(terms: list[tuple[str, bool]]) -> str:
    return " & ".join(f"'{token}'{':*' if prefix else ''}" for token, prefix in terms)


def search_filter(
    queryset: QuerySet[ServiceRequest], query: str, *, include_internal: bool
) -> QuerySet[ServiceRequest]:
    """`queryset` narrowed to the requests matching every term of `query`.

    The caller's queryset carries the access rules; search only ever narrows it.
    Customers search public text only (never internal notes).
    """
    terms = tokens.query_terms(query)
    if not terms:
        return queryset if not query.strip() else queryset.none()
    if connection.vendor == "sqlite":
        ids = RawSQL(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH %s",
            [_fts5_query(terms, public_only=not include_internal)],
        )
    elif connection.vendor == "postgresql":
        vector = schema.PG_ALL_VECTOR if include_internal else schema.PG_PUBLIC_VECTOR
        ids = RawSQL(  # noqa: S611 - the vector is our constant, the query a parameter
            f"SELECT request_id FROM search_searchdocument WHERE {vector} @@ %s::tsquery",  # noqa: S608
            [_tsquery(terms)],
        )
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"Search does not support the {connection.vendor} database.")
    return queryset.filter(pk__in=ids)
