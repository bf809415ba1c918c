import datetime
import re
import zoneinfo

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from aftersales.catalog.models import Product
from aftersales.customers.models import Customer
from aftersales.portal import tokens
from aftersales.service_requests import services
from aftersales.service_requests.models import Attachment, ServiceRequest
from aftersales.service_requests.tests.factories import make_request, move_to

SUBMIT = reverse("portal:submit")
TRACK = reverse("portal:track")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def client():
    """These tests read the English texts; the Chinese ones are checked in test_translations."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def form_data(**overrides):
    data = {
        "name": "王五",
        "phone": "13700137000",
        "email": "",
        "organisation": "",
        "address": "上海市浦东新区世纪大道 1 号",
        "product": "",
        "serial_number": "",
        "purchase_date": "",
        "purchase_channel": "京东",
        "kind": "repair",
        "title": "洗衣机不排水",
        "description": "昨天晚上洗衣服时，洗衣机一直不排水，显示 E21。",
        "occurred_at": "",
        "location": "卫生间",
    }
    data.update(overrides)
    return data


def assert_nothing_saved():
    assert ServiceRequest.objects.count() == 0
    assert Customer.objects.count() == 0
    assert Attachment.objects.count() == 0


def strip_csrf(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


# --- Home -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_offers_both_choices_without_an_account(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert SUBMIT in html
    assert TRACK in html


# --- Submit -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_submit_form_renders_active_products_only(client):
    Product.objects.create(model="KFR-35GW", name="壁挂式空调")
    Product.objects.create(model="OLD-1", name="停产型号", is_active=False)
    response = client.get(SUBMIT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "KFR-35GW" in html
    assert "OLD-1" not in html
    assert 'enctype="multipart/form-data"' in html
    # Phone and email are each optional alone, but one of them is needed.
    phone_label = re.search(r'<label for="id_phone">(.*?)</label>', html).group(1)
    assert "optional" not in phone_label
    assert "optional" in re.search(r'<label for="id_address">(.*?)</label>', html).group(1)


@pytest.mark.django_db
def test_submit_creates_web_request_and_shows_receipt_with_number_and_due_time(client):
    product = Product.objects.create(model="XQG-100", name="滚筒洗衣机")
    response = client.post(
        SUBMIT,
        form_data(
            product=str(product.pk),
            serial_number="SN-123",
            purchase_date="2025-03-01",
            occurred_at="2025-06-01T20:30",
            email="wang@example.com",
        ),
    )
    assert response.status_code == 302
    sr = ServiceRequest.objects.get()
    assert sr.channel == ServiceRequest.Channel.WEB
    assert sr.recorded_by is None
    assert sr.product == product
    assert sr.contact_name == "王五"
    assert sr.contact_phone == "13700137000"
    assert sr.customer.phone_key == "13700137000"
    assert sr.occurred_at == datetime.datetime(2025, 6, 1, 12, 30, tzinfo=datetime.UTC)
    assert response["Location"] == reverse(
        "portal:receipt", kwargs={"token": tokens.receipt_token(sr.number)}
    )

    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    html = receipt.content.decode()
    assert sr.number in html
    due = sr.first_response_due_at.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert due.strftime("%Y-%m-%d %H:%M") in html
    assert "洗衣机不排水" in html
    assert "no-store" in receipt["Cache-Control"]
    # The contact is shown masked: the link may be forwarded or kept in a log.
    assert "13700137000" not in html
    assert "137****7000" in html
    assert f"{TRACK}?number={sr.number}" in html


@pytest.mark.django_db
def test_markup_in_text_is_shown_as_text_on_the_receipt(client):
    response = client.post(SUBMIT, form_data(title="<script>alert(1)</script>"), follow=True)
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


@pytest.mark.django_db
def test_submit_with_existing_customer_phone_reuses_the_customer(client, customer_a):
    response = client.post(SUBMIT, form_data(phone="138 0013 8000"))
    assert response.status_code == 302
    assert ServiceRequest.objects.get().customer == customer_a
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_submit_with_email_only_is_accepted(client):
    response = client.post(SUBMIT, form_data(phone="", email="Someone@Example.com"))
    assert response.status_code == 302
    assert ServiceRequest.objects.get().contact_email_key == "someone@example.com"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"phone": "", "email": ""}, "phone"),
        ({"name": ""}, "name"),
        ({"title": "坏了\x00"}, "title"),
        ({"description": "a\x00b"}, "description"),
        ({"name": "evil\u202egpj.exe"}, "name"),
        ({"location": "bell\x07"}, "location"),
        ({"title": "x" * 201}, "title"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"kind": "delete-everything"}, "kind"),
        ({"purchase_date": "2999-01-01"}, "purchase_date"),
        ({"occurred_at": "2999-01-01T10:00"}, "occurred_at"),
        ({"product": "999999"}, "product"),
    ],
)
def test_invalid_input_shows_field_errors_keeps_values_and_saves_nothing(client, overrides, field):
    data = form_data(**overrides)
    response = client.post(SUBMIT, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    # What was typed is still there.
    assert "上海市浦东新区世纪大道 1 号" in html
    assert_nothing_saved()


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None)
def test_huge_description_is_rejected_by_max_length_even_without_a_body_limit(client):
    response = client.post(SUBMIT, form_data(description="长" * (30 * 1024 * 1024 // 3)))
    assert response.status_code == 400
    assert "description" in response.context["form"].errors
    assert_nothing_saved()


@pytest.mark.django_db
def test_body_over_the_upload_limit_gets_a_friendly_413_not_a_500(client):
    response = client.post(SUBMIT, form_data(description="x" * (6 * 1024 * 1024)))
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert_nothing_saved()


@pytest.mark.django_db
def test_invalid_utf8_and_lone_surrogate_bytes_never_give_a_500(client):
    body = "name=%E7%8E%8B&phone=13700137000&kind=repair&description=ok&title=%ED%A0%80%FF%FE"
    response = client.post(SUBMIT, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in {302, 400}


@pytest.mark.django_db
def test_html_renamed_to_jpg_is_refused_next_to_the_field_and_nothing_is_saved(client):
    fake = SimpleUploadedFile(
        "photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
    )
    good = SimpleUploadedFile("real.png", PNG, content_type="image/png")
    response = client.post(SUBMIT, {**form_data(), "attachments": [good, fake]})
    assert response.status_code == 400
    errors = response.context["form"].errors["attachments"]
    assert len(errors) == 1
    assert "photo.jpg" in errors[0]
    assert 'id="id_attachments_error"' in response.content.decode()
    assert_nothing_saved()


@pytest.mark.django_db
def test_each_bad_file_is_named(client):
    files = [
        SimpleUploadedFile("a.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg"),
        SimpleUploadedFile("b.pdf", b"#!/bin/sh\nrm -rf /", content_type="application/pdf"),
    ]
    response = client.post(SUBMIT, {**form_data(), "attachments": files})
    errors = response.context["form"].errors["attachments"]
    assert len(errors) == 2
    assert "a.jpg" in errors[0]
    assert "b.pdf" in errors[1]
    assert_nothing_saved()


@pytest.mark.django_db
def test_a_service_refusal_of_a_file_stores_nothing(client, monkeypatch):
    """Should the form's check be bypassed, the service's own check still rolls all back."""
    from aftersales.portal import forms as portal_forms

    monkeypatch.setattr(
        portal_forms.SubmitForm, "clean_attachments", lambda self: self.cleaned_data["attachments"]
    )
    fake = SimpleUploadedFile("photo.jpg", b"<html></html>", content_type="image/jpeg")
    response = client.post(SUBMIT, {**form_data(), "attachments": [fake]})
    assert response.status_code == 400
    assert "photo.jpg" in response.context["form"].errors["attachments"][0]
    assert_nothing_saved()


@pytest.mark.django_db
def test_valid_png_is_stored_with_the_request(client):
    upload = SimpleUploadedFile("../../etc/机器.png", PNG, content_type="application/octet-stream")
    response = client.post(SUBMIT, {**form_data(), "attachments": [upload]})
    assert response.status_code == 302
    sr = ServiceRequest.objects.get()
    attachment = sr.attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "机器.png"
    assert attachment.size == len(PNG)
    assert not attachment.is_internal
    assert default_storage.exists(attachment.file.name)
    assert ".." not in attachment.file.name
    receipt = client.get(response["Location"])
    assert "机器.png" in receipt.content.decode()


@pytest.mark.django_db
def test_too_many_files_are_refused(client, settings):
    settings.ATTACHMENTS_PER_UPLOAD = 2
    files = [SimpleUploadedFile(f"p{i}.png", PNG, content_type="image/png") for i in range(3)]
    response = client.post(SUBMIT, {**form_data(), "attachments": files})
    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    assert_nothing_saved()


@pytest.mark.django_db
def test_staff_fields_cannot_be_smuggled_in(client, agent):
    response = client.post(
        SUBMIT,
        form_data(priority="urgent", channel="phone", assignee=str(agent.pk), status="closed"),
    )
    assert response.status_code == 302
    sr = ServiceRequest.objects.get()
    assert sr.channel == "web"
    assert sr.status == "new"
    assert sr.assignee is None
    assert sr.priority == "medium"


@pytest.mark.django_db
def test_submissions_are_limited_per_client_address(client, settings):
    settings.PORTAL_SUBMIT_LIMIT = 2
    for _ in range(2):
        assert client.post(SUBMIT, form_data()).status_code == 302
    response = client.post(SUBMIT, form_data(title="第三次"))
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "第三次" in response.content.decode()
    assert ServiceRequest.objects.count() == 2
    # Another address is not affected; X-Forwarded-For is not believed.
    other = client.post(SUBMIT, form_data(), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302
    spoofed = client.post(SUBMIT, form_data(), HTTP_X_FORWARDED_FOR="10.0.0.77")
    assert spoofed.status_code == 429


@pytest.mark.django_db
def test_failed_attempts_are_limited_too(client, settings):
    settings.PORTAL_SUBMIT_ATTEMPT_LIMIT = 3
    for _ in range(3):
        assert client.post(SUBMIT, form_data(title="")).status_code == 400
    assert client.post(SUBMIT, form_data()).status_code == 429
    assert_nothing_saved()


@pytest.mark.django_db
def test_submit_without_csrf_token_is_forbidden():
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(SUBMIT, form_data())
    assert response.status_code == 403
    assert_nothing_saved()


@pytest.mark.django_db
def test_submit_rejects_other_methods(client):
    assert client.put(SUBMIT).status_code == 405


# --- Receipt ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_receipt_with_tampered_token_is_404(client, customer_a):
    sr = make_request(by=None, customer=customer_a)
    token = tokens.receipt_token(sr.number)
    assert client.get(reverse("portal:receipt", kwargs={"token": token})).status_code == 200
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    response = client.get(reverse("portal:receipt", kwargs={"token": tampered}))
    assert response.status_code == 404
    assert sr.number not in response.content.decode()


@pytest.mark.django_db
def test_receipt_cannot_be_found_by_number_or_foreign_signature(client, customer_a):
    from django.core import signing

    sr = make_request(by=None, customer=customer_a)
    for token in [sr.number, signing.dumps(sr.number), signing.dumps(sr.number, salt="other")]:
        response = client.get(reverse("portal:receipt", kwargs={"token": token}))
        assert response.status_code == 404


@pytest.mark.django_db
def test_receipt_expires_after_seven_days(client, customer_a, time_machine):
    sr = make_request(by=None, customer=customer_a)
    token = tokens.receipt_token(sr.number)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=8))
    assert client.get(reverse("portal:receipt", kwargs={"token": token})).status_code == 404


# --- Track ------------------------------------------------------------------------------


def _track(client, number, contact, **extra):
    return client.post(TRACK, {"number": number, "contact": contact}, **extra)


@pytest.mark.django_db
def test_track_form_prefills_the_number_but_not_a_contact(client):
    response = client.get(TRACK, {"number": "SR-20260101-0001"})
    assert response.status_code == 200
    assert 'value="SR-20260101-0001"' in response.content.decode()
    assert 'method="post"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("contact", ["13800138000", "138-0013-8000", "ZHANG@Example.COM"])
def test_track_with_right_phone_or_email_shows_the_request(client, customer_a, contact):
    sr = make_request(by=None, customer=customer_a)
    response = _track(client, sr.number, contact)
    assert response.status_code == 200
    html = response.content.decode()
    assert sr.number in html
    assert str(sr.get_status_display()) in html
    due = sr.first_response_due_at.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert due.strftime("%Y-%m-%d %H:%M") in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_track_accepts_full_width_lowercase_and_spaced_numbers(client, customer_a):
    sr = make_request(by=None, customer=customer_a)
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in sr.number)
    for typed in [full_width, f"  {sr.number.lower()} ", sr.number.replace("-", " - ")]:
        response = _track(client, typed, "13800138000")
        assert response.status_code == 200, typed
        assert sr.number in response.content.decode()


@pytest.mark.django_db
def test_wrong_contact_and_unknown_number_get_identical_answers(client, customer_a, customer_b):
    sr = make_request(by=None, customer=customer_a)
    unknown = "SR-20000101-9999"
    wrong_contact = _track(client, sr.number, "13900139000")
    no_such_number = _track(client, unknown, "13900139000")
    assert wrong_contact.status_code == no_such_number.status_code == 404
    a = strip_csrf(wrong_contact.content.decode()).replace(sr.number, "NUMBER")
    b = strip_csrf(no_such_number.content.decode()).replace(unknown, "NUMBER")
    assert a == b
    assert "We found no request" in a
    assert "空调不制冷" not in a


@pytest.mark.django_db
def test_track_shows_public_replies_only_and_no_staff_names(client, customer_a, agent, technician):
    sr = make_request(by=agent, customer=customer_a)
    services.comment_add(sr, by=agent, body="PUBLIC-REPLY 我们明天上门", internal=False)
    services.comment_add(sr, by=agent, body="INTERNAL-NOTE 客户很难缠", internal=True)
    sr = move_to(sr, "scheduled", by=agent, assignee=technician)
    response = _track(client, sr.number, "zhang@example.com")
    assert response.status_code == 200
    html = response.content.decode()
    assert "PUBLIC-REPLY" in html
    assert "INTERNAL-NOTE" not in html
    assert "客户很难缠" not in html
    for name in {agent.username, agent.display_name, technician.username, technician.display_name}:
        assert name not in html
    assert "Service team" in html
    assert "Visit scheduled" in html
    visit = sr.scheduled_for.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert visit.strftime("%Y-%m-%d %H:%M") in html


@pytest.mark.django_db
def test_track_shows_the_resolution(client, customer_a, agent):
    sr = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    html = _track(client, sr.number, "13800138000").content.decode()
    assert sr.resolution in html
    assert "Resolved" in html


@pytest.mark.django_db
def test_track_with_missing_fields_shows_errors(client):
    response = _track(client, "", "")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"number", "contact"}


@pytest.mark.django_db
def test_track_is_throttled_per_client_address(client, customer_a, settings):
    settings.PORTAL_TRACK_LIMIT = 3
    sr = make_request(by=None, customer=customer_a)
    for _ in range(3):
        assert _track(client, sr.number, "13000000000").status_code == 404
    blocked = _track(client, sr.number, "13800138000")
    assert blocked.status_code == 429
    assert blocked["Retry-After"]
    assert sr.number not in blocked.content.decode()
    # Spoofing the forwarded address does not reset the count.
    assert (
        _track(client, sr.number, "13800138000", HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 429
    )
    assert _track(client, sr.number, "13800138000", REMOTE_ADDR="10.1.1.1").status_code == 200


@pytest.mark.django_db
def test_track_default_limit_is_twenty_per_ten_minutes(client):
    statuses = [_track(client, "SR-20000101-0001", "13000000000").status_code for _ in range(21)]
    assert statuses[:20] == [404] * 20
    assert statuses[20] == 429


@pytest.mark.django_db
def test_track_without_csrf_token_is_forbidden(customer_a):
    sr = make_request(by=None, customer=customer_a)
    response = _track(Client(enforce_csrf_checks=True), sr.number, "13800138000")
    assert response.status_code == 403


@pytest.mark.django_db
def test_track_with_nul_or_huge_input_is_a_form_error_not_a_500(client):
    assert _track(client, "SR-\x00", "13800138000").status_code == 400
    assert _track(client, "S" * 100_000, "x" * 100_000).status_code == 400


# --- Layout -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["portal:home", "portal:submit", "portal:track"])
def test_portal_pages_carry_the_portal_navigation(client, name):
    html = client.get(reverse(name)).content.decode()
    assert 'name="viewport"' in html
    assert f'href="{SUBMIT}"' in html
    assert f'href="{TRACK}"' in html


@pytest.mark.django_db
def test_portal_works_for_a_signed_in_staff_user_too(client, agent):
    client.force_login(agent)
    assert client.get(reverse("portal:home")).status_code == 200
