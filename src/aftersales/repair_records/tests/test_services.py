"""Repair records and the parts they used: who writes them, what they need, and stock that
is taken together with the line or not at all."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.parts.models import StockLevel, StockMovement, StockReservation
from aftersales.parts.tests.factories import stocked
from aftersales.repair_records import services
from aftersales.repair_records.models import PartUsed, RepairRecord
from aftersales.repair_records.tests.factories import PNG, make_record
from aftersales.service_requests.models import Attachment, ServiceRequestEvent
from aftersales.service_requests.tests.factories import move_to

# --- Records ---------------------------------------------------------------------------------


def test_the_technician_on_the_request_writes_a_record(sr, technician):
    record = make_record(sr, by=technician)
    assert record.work_done.startswith("更换启动电容")
    assert record.labour_minutes == 60  # from start to finish, as none was given
    assert list(record.technicians.all()) == [technician]
    assert record.written_by == technician
    assert record.test_outcome == RepairRecord.TestOutcome.PASSED
    assert not record.is_repeat
    assert record.visit_round == 0
    event = sr.events.get(action="repair_record.added")
    assert event.kind == ServiceRequestEvent.Kind.UPDATED
    assert not event.is_internal


def test_labour_as_given_and_several_technicians(sr, technician, supervisor):
    record = make_record(sr, by=technician, labour_minutes=45, technicians=[technician, supervisor])
    assert record.labour_minutes == 45
    assert set(record.technicians.all()) == {technician, supervisor}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"work_done": "  "}, "work_done"),
        ({"started_at": timezone.now() + datetime.timedelta(hours=2)}, "started_at"),
        (
            {
                "started_at": timezone.now() - datetime.timedelta(hours=1),
                "finished_at": timezone.now() - datetime.timedelta(hours=2),
            },
            "finished_at",
        ),
        ({"labour_minutes": -5}, "labour_minutes"),
        ({"test_outcome": "maybe"}, "test_outcome"),
        ({"work_done": "bad\x00text"}, "work_done"),
    ],
)
def test_a_record_that_does_not_hold_together_is_refused_naming_the_field(
    sr, technician, overrides, field
):
    with pytest.raises(DomainError) as caught:
        make_record(sr, by=technician, **overrides)
    assert field in caught.value.fields
    assert not RepairRecord.objects.exists()


def test_a_customer_cannot_be_named_as_technician(sr, technician, customer_user):
    with pytest.raises(DomainError) as caught:
        make_record(sr, by=technician, technicians=[customer_user])
    assert "technicians" in caught.value.fields


@pytest.mark.parametrize("who", ["other_technician", "customer_user", "analyst", "department"])
def test_only_those_who_work_on_the_request_write_records(sr, who, request):
    with pytest.raises(NotAllowed):
        make_record(sr, by=request.getfixturevalue(who))
    assert not RepairRecord.objects.exists()


def test_no_records_once_the_request_is_closed(sr, agent, technician):
    services.repair_record_create  # noqa: B018 - the service under test
    closed = move_to(sr, "closed", by=agent, assignee=technician)
    with pytest.raises(InvalidTransition):
        make_record(closed, by=technician)


def test_a_record_may_be_written_right_after_resolving(sr, agent, technician):
    from aftersales.service_requests import services as requests

    resolved = requests.service_request_act(
        sr, "resolve", by=technician, data={"resolution": "更换电容"}
    )
    assert make_record(resolved, by=technician).pk


def test_a_record_changes_while_the_request_is_open_and_a_stale_version_is_refused(sr, technician):
    record = make_record(sr, by=technician, test_outcome="not_tested")
    changed = services.repair_record_update(
        record, by=technician, data={"test_outcome": "failed"}, expected_version=1
    )
    assert changed.test_outcome == "failed"
    assert changed.version == 2
    with pytest.raises(Conflict):
        services.repair_record_update(
            record, by=technician, data={"test_outcome": "passed"}, expected_version=1
        )
    assert sr.events.filter(action="repair_record.changed").count() == 1


def test_a_record_is_final_once_the_request_is_resolved(sr, technician):
    from aftersales.service_requests import services as requests

    record = make_record(sr, by=technician)
    requests.service_request_act(sr, "resolve", by=technician, data={"resolution": "好了"})
    with pytest.raises(InvalidTransition):
        services.repair_record_update(record, by=technician, data={"test_result": "改一下"})


# --- Parts -----------------------------------------------------------------------------------


def test_a_part_from_a_reservation_uses_the_reserved_stock(sr, technician, reservation, central):
    record = make_record(sr, by=technician)
    line = services.part_used_add(record, by=technician, data={"reservation": reservation})
    assert line.source == PartUsed.Source.RESERVATION
    assert line.part_number == "CAP-35UF"
    assert line.quantity == 2
    reservation.refresh_from_db()
    assert reservation.status == StockReservation.Status.CONSUMED
    level = StockLevel.objects.get(warehouse=central, part=reservation.part)
    assert (level.on_hand, level.reserved) == (3, 0)
    assert line.movement.kind == StockMovement.Kind.CONSUMPTION
    assert line.movement.service_request_id == sr.pk


def test_a_partial_use_of_a_reservation_releases_the_rest(sr, technician, reservation, central):
    record = make_record(sr, by=technician)
    line = services.part_used_add(
        record, by=technician, data={"reservation": reservation, "quantity": 1}
    )
    assert line.quantity == 1
    level = StockLevel.objects.get(warehouse=central, part=reservation.part)
    assert (level.on_hand, level.reserved) == (4, 0)


def test_a_reservation_is_used_once(sr, technician, reservation):
    record = make_record(sr, by=technician)
    services.part_used_add(record, by=technician, data={"reservation": reservation})
    with pytest.raises(Conflict):
        services.part_used_add(record, by=technician, data={"reservation": reservation})
    assert PartUsed.objects.count() == 1


def test_a_reservation_of_another_request_is_refused(
    sr, technician, agent, customer_a, team_a, central, part
):
    from aftersales.parts import services as stock
    from aftersales.service_requests.tests.factories import make_request

    other = move_to(
        make_request(by=agent, customer=customer_a, team=team_a),
        "in_progress",
        by=agent,
        assignee=technician,
    )
    stocked(central, part, 2)
    theirs = stock.stock_reserve(
        warehouse=central, part=part, quantity=1, service_request=other, by=agent
    )
    record = make_record(sr, by=technician)
    with pytest.raises(DomainError) as caught:
        services.part_used_add(record, by=technician, data={"reservation": theirs})
    assert "reservation" in caught.value.fields


def test_a_part_from_the_technicians_van(sr, technician, van, part):
    stocked(van, part, 4)
    record = make_record(sr, by=technician)
    line = services.part_used_add(
        record, by=technician, data={"warehouse": van, "part": part, "quantity": 3}
    )
    assert line.source == PartUsed.Source.STOCK
    assert line.warehouse == van
    assert StockLevel.objects.get(warehouse=van, part=part).on_hand == 1
    assert line.movement.on_hand_change == -3


def test_a_technician_takes_directly_only_from_their_own_van(sr, technician, central, part):
    stocked(central, part, 4)
    record = make_record(sr, by=technician)
    with pytest.raises(NotAllowed):
        services.part_used_add(
            record, by=technician, data={"warehouse": central, "part": part, "quantity": 1}
        )
    assert not PartUsed.objects.exists()
    assert StockLevel.objects.get(warehouse=central, part=part).on_hand == 4


def test_not_enough_stock_leaves_neither_line_nor_movement(sr, technician, van, part):
    stocked(van, part, 1)
    record = make_record(sr, by=technician)
    movements = StockMovement.objects.count()
    with pytest.raises(DomainError) as caught:
        services.part_used_add(
            record, by=technician, data={"warehouse": van, "part": part, "quantity": 2}
        )
    assert "quantity" in caught.value.fields
    assert not PartUsed.objects.exists()
    assert StockMovement.objects.count() == movements
    assert StockLevel.objects.get(warehouse=van, part=part).on_hand == 1
    assert not sr.events.filter(action="repair_record.part_used").exists()


def test_a_record_with_a_part_short_of_stock_is_not_written_at_all(sr, technician, van, part):
    stocked(van, part, 1)
    with pytest.raises(DomainError) as caught:
        make_record(sr, by=technician, parts=[{"warehouse": van, "part": part, "quantity": 5}])
    assert "parts.0.quantity" in caught.value.fields
    assert not RepairRecord.objects.exists()
    assert not sr.events.filter(action="repair_record.added").exists()


def test_a_record_with_its_parts_in_one_go(sr, technician, reservation, van, part):
    stocked(van, part, 2)
    record = make_record(
        sr,
        by=technician,
        parts=[
            {"reservation": reservation, "quantity": 1},
            {"warehouse": van, "part": part, "quantity": 1},
            {"part_number": "GASKET-9", "description": "密封圈"},
        ],
    )
    assert [line.source for line in record.parts.all()] == ["reservation", "stock", "outside"]


def test_serials_are_kept_and_the_units_own_serial_is_not_changed(
    sr, technician, van, serial_part, unit
):
    stocked(van, serial_part, 1)
    record = make_record(sr, by=technician)
    line = services.part_used_add(
        record,
        by=technician,
        data={
            "warehouse": van,
            "part": serial_part,
            "old_serial": "CMP-OLD-778",
            "new_serial": "CMP-NEW-991",
        },
    )
    line.refresh_from_db()
    assert (line.old_serial, line.new_serial) == ("CMP-OLD-778", "CMP-NEW-991")
    unit.refresh_from_db()
    assert unit.serial_number == "SN-AC-0001"
    sr.refresh_from_db()
    assert sr.serial_number == "SN-AC-0001"
    assert "CMP-OLD-778 → CMP-NEW-991" in sr.events.get(action="repair_record.part_used").note


def test_a_serialised_part_needs_its_new_serial_and_goes_one_by_one(
    sr, technician, van, serial_part
):
    stocked(van, serial_part, 3)
    record = make_record(sr, by=technician)
    with pytest.raises(DomainError) as caught:
        services.part_used_add(record, by=technician, data={"warehouse": van, "part": serial_part})
    assert "new_serial" in caught.value.fields
    with pytest.raises(DomainError) as caught:
        services.part_used_add(
            record,
            by=technician,
            data={"warehouse": van, "part": serial_part, "quantity": 2, "new_serial": "X"},
        )
    assert "quantity" in caught.value.fields
    assert StockLevel.objects.get(warehouse=van, part=serial_part).on_hand == 3


def test_a_part_from_outside_needs_a_part_number(sr, technician):
    record = make_record(sr, by=technician)
    with pytest.raises(DomainError) as caught:
        services.part_used_add(record, by=technician, data={"quantity": 1})
    assert "part_number" in caught.value.fields
    line = services.part_used_add(
        record, by=technician, data={"part_number": "LOCAL-1", "old_serial": "A", "new_serial": "B"}
    )
    assert line.source == PartUsed.Source.OUTSIDE
    assert line.movement is None


def test_parts_are_not_taken_for_a_closed_request(sr, agent, technician, van, part):
    stocked(van, part, 2)
    record = make_record(sr, by=technician)
    move_to(sr, "closed", by=agent, assignee=technician)  # from in_progress: resolve, close
    record.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.part_used_add(record, by=technician, data={"warehouse": van, "part": part})
    assert StockLevel.objects.get(warehouse=van, part=part).on_hand == 2


# --- Photos ----------------------------------------------------------------------------------


def test_photos_are_the_requests_attachments_checked_by_content(sr, technician):
    record = make_record(sr, by=technician)
    added = services.repair_record_photos_add(
        record, by=technician, uploads=[SimpleUploadedFile("现场.jpg", PNG)]
    )
    assert added[0].request_id == sr.pk
    assert added[0].content_type == "image/png"  # by its bytes, not its name
    assert not added[0].is_internal
    assert list(record.photos.all()) == added


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("report.pdf", b"%PDF-1.4 a document, not a photo"),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_stored(sr, technician, name, content):
    record = make_record(sr, by=technician)
    with pytest.raises(DomainError) as caught:
        services.repair_record_photos_add(
            record,
            by=technician,
            uploads=[SimpleUploadedFile("ok.png", PNG), SimpleUploadedFile(name, content)],
        )
    assert "photos" in caught.value.fields
    assert not Attachment.objects.filter(request=sr).exists()
