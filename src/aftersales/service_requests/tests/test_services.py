import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.catalog.models import Product, Unit
from aftersales.core.errors import Conflict, DomainError, NotAllowed
from aftersales.service_requests import numbering, services
from aftersales.service_requests.models import (
    Attachment,
    PriorityRule,
    ServiceRequest,
    ServiceRequestEvent,
)
from aftersales.service_requests.tests.factories import make_request, move_to

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
UTC = datetime.UTC


def test_numbers_use_the_local_date_of_the_service_time_zone(agent, customer_a):
    # 2026-01-31 17:30 UTC is already 1 February in Shanghai.
    received = datetime.datetime(2026, 1, 31, 17, 30, tzinfo=UTC)
    first = make_request(by=agent, customer=customer_a, received_at=received)
    second = make_request(by=agent, customer=customer_a, received_at=received)
    assert first.number == "SR-20260201-0001"
    assert second.number == "SR-20260201-0002"


def test_the_counter_grows_past_9999(agent, customer_a):
    from aftersales.service_requests.models import ServiceNumberCounter

    ServiceNumberCounter.objects.create(day=numbering.local_day(timezone.now()), last=9999)
    assert make_request(by=agent, customer=customer_a).number.endswith("-10000")


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [
        ("high", "high", "urgent"),
        ("high", "low", "medium"),
        ("medium", "medium", "medium"),
        ("low", "low", "low"),
    ],
)
def test_priority_comes_from_the_matrix(impact, urgency, priority, agent, customer_a):
    request = make_request(by=agent, customer=customer_a, impact=impact, urgency=urgency)
    assert request.priority == priority


def test_the_matrix_is_configurable(agent, customer_a):
    PriorityRule.objects.filter(impact="low", urgency="low").update(priority="high")
    assert (
        make_request(by=agent, customer=customer_a, impact="low", urgency="low").priority == "high"
    )


def test_due_times_follow_the_priority_targets(agent, customer_a):
    received = timezone.now() - datetime.timedelta(minutes=5)
    request = make_request(
        by=agent, customer=customer_a, impact="high", urgency="high", received_at=received
    )
    assert request.first_response_due_at == received + datetime.timedelta(hours=1)
    assert request.resolution_due_at == received + datetime.timedelta(hours=24)
    complaint = make_request(by=agent, customer=customer_a, kind="complaint", received_at=received)
    assert complaint.first_response_due_at == received + datetime.timedelta(hours=24)


def test_received_at_cannot_be_in_the_future(agent, customer_a):
    with pytest.raises(DomainError) as caught:
        make_request(
            by=agent, customer=customer_a, received_at=timezone.now() + datetime.timedelta(hours=1)
        )
    assert "received_at" in caught.value.fields
    assert not ServiceRequest.objects.exists()


def test_changing_urgency_recomputes_priority_and_due_times(agent, customer_a):
    request = make_request(by=agent, customer=customer_a, impact="low", urgency="low")
    request = services.service_request_update(
        request,
        by=agent,
        data={"impact": "high", "urgency": "high"},
        expected_version=request.version,
    )
    assert request.priority == "urgent"
    assert request.first_response_due_at == request.received_at + datetime.timedelta(hours=1)
    event = ServiceRequestEvent.objects.filter(request=request, kind="updated").get()
    assert event.changes["priority"] == ["low", "urgent"]


def test_a_stale_version_is_refused_and_changes_nothing(agent, customer_a):
    request = make_request(by=agent, customer=customer_a)
    stale = request.version
    services.service_request_update(
        request, by=agent, data={"title": "第一次修改"}, expected_version=stale
    )
    with pytest.raises(Conflict):
        services.service_request_update(
            request, by=agent, data={"title": "第二次修改"}, expected_version=stale
        )
    with pytest.raises(Conflict):
        services.service_request_act(
            request, "cancel", by=agent, data={"reason": "x"}, expected_version=stale
        )
    request.refresh_from_db()
    assert request.title == "第一次修改"
    assert request.status == "new"


def test_customers_may_not_set_staff_fields(customer_user, customer_a):
    with pytest.raises(DomainError) as caught:
        services.service_request_create(
            by=customer_user,
            customer=customer_a,
            data={"title": "坏了", "urgency": "high", "team": None},
        )
    assert set(caught.value.fields) == {"team", "urgency"}


def test_customers_file_for_themselves_only(customer_user, customer_b):
    with pytest.raises(NotAllowed):
        services.service_request_create(
            by=customer_user, customer=customer_b, data={"title": "坏了"}
        )


def test_analysts_cannot_create(analyst, customer_a):
    with pytest.raises(NotAllowed):
        make_request(by=analyst, customer=customer_a)


def test_a_known_serial_links_the_unit_and_its_product(agent, customer_a):
    product = Product.objects.create(model="KFR-35GW", name="壁挂式空调", warranty_months=36)
    unit = Unit.objects.create(
        product=product,
        customer=customer_a,
        serial_number="SN-0001",
        batch_number="B2401",
        production_date=datetime.date(2024, 1, 5),
        purchase_date=datetime.date(2024, 3, 1),
    )
    request = make_request(by=agent, customer=customer_a, serial_number="SN-0001")
    assert request.unit == unit
    assert request.product == product
    assert request.batch_number == "B2401"
    assert unit.warranty_end == datetime.date(2027, 3, 1)


def test_nested_customer_is_matched_by_phone_then_email(agent, customer_a):
    assert services.customer_find_or_create(name="x", phone="138 0013 8000", by=agent) == customer_a
    assert (
        services.customer_find_or_create(name="x", email="ZHANG@example.com", by=agent)
        == customer_a
    )
    created = services.customer_find_or_create(name="王五", phone="13700137000", by=agent)
    assert created.pk != customer_a.pk


def test_first_public_staff_reply_is_the_first_response(agent, customer_user, customer_a):
    request = make_request(by=agent, customer=customer_a)
    services.comment_add(request, by=agent, body="内部：先查库存", internal=True)
    services.comment_add(request, by=customer_user, body="请尽快", internal=False)
    request.refresh_from_db()
    assert request.first_responded_at is None
    services.comment_add(request, by=agent, body="您好，已安排技术员", internal=False)
    request.refresh_from_db()
    assert request.first_responded_at is not None


def test_customers_cannot_write_internal_notes(customer_user, agent, customer_a):
    request = make_request(by=agent, customer=customer_a)
    with pytest.raises(NotAllowed):
        services.comment_add(request, by=customer_user, body="x", internal=True)


def test_attachments_are_typed_by_content(agent, customer_a):
    request = make_request(by=agent, customer=customer_a)
    photo = SimpleUploadedFile("../../etc/照片\u202egpj.exe", PNG, content_type="text/html")
    attachment = services.attachment_add(request, by=agent, upload=photo, internal=False)
    assert attachment.content_type == "image/png"
    assert "/" not in attachment.original_name and "\u202e" not in attachment.original_name
    assert attachment.file.name.startswith("attachments/") and attachment.file.name.endswith(".png")
    html = SimpleUploadedFile(
        "photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
    )
    with pytest.raises(DomainError) as caught:
        services.attachment_add(request, by=agent, upload=html, internal=False)
    assert "attachments" in caught.value.fields


def test_one_bad_file_stores_none(agent, customer_a):
    good = SimpleUploadedFile("a.png", PNG)
    bad = SimpleUploadedFile("b.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(DomainError):
        services.service_request_create(
            by=agent, customer=customer_a, data={"title": "t"}, uploads=[good, bad]
        )
    assert not ServiceRequest.objects.exists()
    assert not Attachment.objects.exists()


def test_office_documents_are_recognised(agent, customer_a):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    request = make_request(by=agent, customer=customer_a)
    upload = SimpleUploadedFile("报告.docx", buffer.getvalue())
    attachment = services.attachment_add(request, by=agent, upload=upload, internal=False)
    assert attachment.content_type.endswith("wordprocessingml.document")
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("evil.html", "<script></script>")
    with pytest.raises(DomainError):
        services.attachment_add(
            request,
            by=agent,
            upload=SimpleUploadedFile("x.docx", plain_zip.getvalue()),
            internal=False,
        )


def test_closed_requests_keep_their_classification(agent, customer_a):
    request = move_to(make_request(by=agent, customer=customer_a), "closed", by=agent)
    with pytest.raises(DomainError):
        services.service_request_update(
            request, by=agent, data={"urgency": "high"}, expected_version=None
        )


def test_events_are_append_only(agent, customer_a):
    request = make_request(by=agent, customer=customer_a)
    event = request.events.get()
    event.note = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_service_number_variants_find_the_same_request_or_none(agent, customer_a):
    from aftersales.service_requests.numbering import normalise_number

    request = make_request(by=agent, customer=customer_a)
    number = request.number
    for variant in [
        number.lower(),
        f"  {number} ",
        number.replace("-", "－"),
        number.replace("SR", "ＳＲ"),
    ]:
        assert normalise_number(variant) == number
    # Look-alikes (Cyrillic С, Greek Ρ) must never match a real number.
    assert normalise_number(number.replace("S", "\u0421")) != number
    assert normalise_number(number.replace("R", "\u03a1")) != number
