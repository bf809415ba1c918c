"""No double booking, enforced by PostgreSQL: a technician's active bookings may not overlap.

The exclusion constraint is written here as SQL, on PostgreSQL only, and is deliberately
absent from the model's Meta: SQLite has no exclusion constraints (Django could not build
the table there), and a constraint in Meta would also make Django try to validate it with
range lookups that SQLite lacks. On SQLite the booking service's check, run under the
database's write lock (IMMEDIATE transactions), is the guard instead. `makemigrations` sees
no difference between the models and the migration state, on either database.

Windows are half-open ('[)'): a visit 10:00–12:00 and the next one 12:00–14:00 touch but do
not overlap. `btree_gist` lets the GiST index compare the technician id with `=`.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "visit_technician_no_overlap"
TABLE = "visits_visittechnician"

ADD = f"""
ALTER TABLE {TABLE} ADD CONSTRAINT {CONSTRAINT}
EXCLUDE USING gist (
    technician_id WITH =,
    tstzrange(window_start, window_end, '[)') WITH &&
) WHERE (active)
"""
DROP = f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {CONSTRAINT}"


class BtreeGistOnPostgres(BtreeGistExtension):
    """Django's operation skips other databases going forwards but not backwards."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [
        # A no-op on other databases.
        BtreeGistOnPostgres(),
        migrations.RunPython(add_constraint, drop_constraint, elidable=False),
    ]
