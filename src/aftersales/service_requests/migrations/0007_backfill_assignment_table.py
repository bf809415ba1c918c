"""The assignment table for requests assigned before it existed, from their history: each
"assign" event becomes a line, open until the next one."""

from django.db import migrations


def backfill(apps, schema_editor):
    Event = apps.get_model("service_requests", "ServiceRequestEvent")
    Assignment = apps.get_model("service_requests", "Assignment")
    User = apps.get_model("accounts", "User")
    Team = apps.get_model("accounts", "Team")
    if Assignment.objects.exists():
        return
    users = dict(User.objects.values_list("username", "id"))
    teams = set(Team.objects.values_list("id", flat=True))
    events = Event.objects.filter(action="assign").order_by("request_id", "created_at", "id")
    rows, previous = [], None
    for event in events.iterator(chunk_size=2000):
        if previous is not None and previous.request_id == event.request_id:
            previous.ended_at = event.created_at
        team = event.changes.get("team")
        row = Assignment(
            request_id=event.request_id,
            assignee_id=users.get(event.changes.get("assignee")),
            team_id=team if team in teams else None,
            assigned_by_id=event.actor_id,
            method="manual",
            reason=event.note,
            assigned_at=event.created_at,
        )
        rows.append(row)
        previous = row
    Assignment.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("service_requests", "0006_add_assignments_and_task_force")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
