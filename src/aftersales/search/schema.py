"""The backend-specific part of the search index, created by this app's migration."""

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(public, internal, content='search_searchdocument', "
    "content_rowid='request_id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(rowid, public, internal) VALUES (new.request_id, new.public, new.internal); END",
    "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, public, internal) "
    "VALUES ('delete', old.request_id, old.public, old.internal); END",
    "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, public, internal) "
    "VALUES ('delete', old.request_id, old.public, old.internal); "
    "INSERT INTO search_fts(rowid, public, internal) VALUES (new.request_id, new.public, new.internal); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]

# Tokens are made in Python (tokens.py); PostgreSQL only stores them as lexemes, so no
# text-search configuration or parser touches them.
PG_PUBLIC_VECTOR = "array_to_tsvector(array_remove(string_to_array(public, ' '), ''))"
PG_ALL_VECTOR = (
    "array_to_tsvector(array_remove(string_to_array(public || ' ' || internal, ' '), ''))"
)
POSTGRES_CREATE = [
    f"CREATE INDEX search_public_gin ON search_searchdocument USING gin (({PG_PUBLIC_VECTOR}))",
    f"CREATE INDEX search_all_gin ON search_searchdocument USING gin (({PG_ALL_VECTOR}))",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS search_public_gin", "DROP INDEX IF EXISTS search_all_gin"]


def create(schema_editor) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def drop(schema_editor) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)
