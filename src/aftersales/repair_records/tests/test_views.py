"""The "Repair records" card on the request page, its forms with and without JavaScript, and
a unit's service history page; in English and in Chinese."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.parts.tests.factories import stocked
from aftersales.repair_records.models import Confirmation, PartUsed, RepairRecord
from aftersales.repair_records.tests.factories import PNG, make_record
from aftersales.service_requests import services as requests
from aftersales.service_requests.tests.factories import make_request, move_to

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


def detail(sr) -> str:
    return reverse("service_requests:detail", args=[sr.number])


def record_post(**overrides) -> dict:
    now = timezone.localtime()
    data = {
        "record-work_done": "更换启动电容",
        "record-started_at": (now - timezone.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "record-finished_at": (now - timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "record-labour_minutes": "",
        "record-test_outcome": "passed",
        "record-test_result": "试机正常",
    }
    data.update(overrides)
    return data


# --- The card ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
def test_the_request_page_shows_the_card_in_each_language(sr, technician, language):
    make_record(sr, by=technician)
    client = Client(headers={"accept-language": language})
    client.force_login(technician)
    response = client.get(detail(sr))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert 'id="repair-records-panel"' in body
    assert reverse("repair_records:create", args=[sr.number]) in body
    assert "更换启动电容" in body
    assert "data-pdf" in body
    assert "data-unit-history" in body
    assert reverse("unit_history:history", args=["SN-AC-0001"]) in body


def test_a_record_without_javascript_saves_and_returns_to_the_page(client, sr, technician):
    client.force_login(technician)
    response = client.post(reverse("repair_records:create", args=[sr.number]), record_post())
    assert response.status_code == 302
    assert response["Location"] == detail(sr)
    record = RepairRecord.objects.get()
    assert record.labour_minutes == 60
    assert record.test_outcome == "passed"
    page = client.get(response["Location"]).content.decode()
    assert "Repair record" in page and "saved" in page


def test_a_record_with_htmx_answers_with_the_panels(client, sr, technician):
    client.force_login(technician)
    response = client.post(
        reverse("repair_records:create", args=[sr.number]), record_post(), **HTMX
    )
    assert response.status_code == 200
    assert 'id="request-panels"' in response.content.decode()
    assert "request-changed" in response["HX-Trigger"]


def test_a_record_with_photos_from_the_form(client, sr, technician):
    client.force_login(technician)
    data = record_post()
    data["record-photos"] = [SimpleUploadedFile("现场.png", PNG)]
    response = client.post(reverse("repair_records:create", args=[sr.number]), data)
    assert response.status_code == 302
    photo = RepairRecord.objects.get().photos.get()
    page = client.get(detail(sr)).content.decode()
    assert reverse("service_requests:attachment", args=[sr.number, photo.pk]) in page
    download = client.get(reverse("service_requests:attachment", args=[sr.number, photo.pk]))
    assert download["Content-Disposition"].startswith("attachment")


def test_a_refused_record_shows_its_errors_where_the_form_is(client, sr, technician):
    client.force_login(technician)
    bad = record_post(**{"record-work_done": "", "record-test_outcome": "passed"})
    response = client.post(reverse("repair_records:create", args=[sr.number]), bad, **HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#record-new-errors"
    assert "error-box" in response.content.decode()
    not_a_photo = record_post()
    not_a_photo["record-photos"] = [SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>")]
    response = client.post(reverse("repair_records:create", args=[sr.number]), not_a_photo)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "is not a photo, video, PDF or office document" in page or "not a photo" in page
    assert not RepairRecord.objects.exists()


def test_parts_from_the_card(client, sr, technician, van, part, reservation):
    stocked(van, part, 3)
    record = make_record(sr, by=technician)
    client.force_login(technician)
    page = client.get(detail(sr)).content.decode()
    assert f'value="reservation:{reservation.pk}"' in page
    assert f'value="warehouse:{van.pk}"' in page
    url = reverse("repair_records:part_add", args=[record.pk])
    prefix = f"part-{record.pk}"
    response = client.post(
        url, {f"{prefix}-source": f"reservation:{reservation.pk}", f"{prefix}-quantity": ""}
    )
    assert response.status_code == 302
    response = client.post(
        url,
        {
            f"{prefix}-source": f"warehouse:{van.pk}",
            f"{prefix}-part": part.pk,
            f"{prefix}-quantity": "5",
        },
        **HTMX,
    )
    assert response.status_code == 400  # only 3 in the van
    assert response["HX-Retarget"] == f"#record-{record.pk}-part-errors"
    assert list(PartUsed.objects.values_list("source", "quantity")) == [("reservation", 2)]
    page = client.get(detail(sr)).content.decode()
    assert "CAP-35UF" in page


def test_a_technicians_form_offers_only_their_own_van(client, sr, technician, van, central):
    make_record(sr, by=technician)
    client.force_login(technician)
    page = client.get(detail(sr)).content.decode()
    assert f'value="warehouse:{van.pk}"' in page
    assert f'value="warehouse:{central.pk}"' not in page


def test_a_record_is_changed_from_the_card(client, sr, technician):
    record = make_record(sr, by=technician, test_outcome="not_tested")
    client.force_login(technician)
    prefix = f"edit-{record.pk}"
    page = client.get(detail(sr)).content.decode()
    assert reverse("repair_records:edit", args=[record.pk]) in page
    data = {
        f"{prefix}-version": "1",
        f"{prefix}-work_done": record.work_done,
        f"{prefix}-started_at": timezone.localtime(record.started_at).strftime("%Y-%m-%dT%H:%M"),
        f"{prefix}-finished_at": "",
        f"{prefix}-labour_minutes": "30",
        f"{prefix}-test_outcome": "failed",
        f"{prefix}-test_result": "仍有异响",
    }
    response = client.post(reverse("repair_records:edit", args=[record.pk]), data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.test_outcome, record.labour_minutes, record.version) == ("failed", 30, 2)
    stale = client.post(reverse("repair_records:edit", args=[record.pk]), data, **HTMX)
    assert stale.status_code == 409


@pytest.mark.parametrize("name", ["create", "confirmation", "edit", "part_add", "photos_add"])
def test_the_card_actions_refuse_get(client, sr, technician, name):
    record = make_record(sr, by=technician)
    client.force_login(technician)
    args = [sr.number] if name in {"create", "confirmation"} else [record.pk]
    assert client.get(reverse(f"repair_records:{name}", args=args)).status_code == 405


def test_those_who_do_not_work_on_it_see_no_forms_and_may_not_post(
    client, sr, technician, analyst, other_technician
):
    make_record(sr, by=technician)
    client.force_login(analyst)
    page = client.get(detail(sr)).content.decode()
    assert 'id="repair-records-panel"' in page
    assert reverse("repair_records:create", args=[sr.number]) not in page
    response = client.post(reverse("repair_records:create", args=[sr.number]), record_post())
    assert response.status_code == 302  # refused, told on the page
    assert RepairRecord.objects.count() == 1
    client.force_login(other_technician)
    response = client.post(reverse("repair_records:create", args=[sr.number]), record_post())
    assert response.status_code == 404


def test_the_repeat_badge_and_confirmation_line(client, sr, agent, technician):
    record = make_record(sr, by=technician)
    resolved = requests.service_request_act(sr, "resolve", by=technician, data={"resolution": "好"})
    client.force_login(agent)
    page = client.get(detail(resolved)).content.decode()
    assert 'data-confirmation="awaiting"' in page
    assert "data-repeat-repair" not in page
    url = reverse("repair_records:confirmation", args=[sr.number])
    response = client.post(
        url,
        {"confirmation-answer": "not_fixed", "confirmation-comment": "还是不制冷"},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-repeat-repair" in body
    assert 'data-confirmation="awaiting"' not in body
    assert Confirmation.objects.get().method == "phone"
    assert record.request.confirmations.count() == 1


def test_the_customer_answers_on_the_console(client, sr, technician, customer_user):
    requests.service_request_act(sr, "resolve", by=technician, data={"resolution": "好"})
    client.force_login(customer_user)
    page = client.get(detail(sr)).content.decode()
    assert "confirmation-answer" in page
    assert "confirmation-customer_name" not in page  # only staff say who answered
    response = client.post(
        reverse("repair_records:confirmation", args=[sr.number]),
        {"confirmation-answer": "fixed"},
    )
    assert response.status_code == 302
    confirmation = Confirmation.objects.get()
    assert (confirmation.method, confirmation.recorded_by) == ("portal", customer_user)
    page = client.get(detail(sr)).content.decode()
    assert 'data-confirmation="fixed"' in page


def test_a_customer_sees_the_record_without_staff_names(client, sr, technician, customer_user):
    make_record(sr, by=technician)
    client.force_login(customer_user)
    page = client.get(detail(sr)).content.decode()
    assert "更换启动电容" in page
    card = re.search(r'id="repair-records-panel".*?</section>', page, re.S).group(0)
    assert "tech1" not in card


# --- A unit's history -------------------------------------------------------------------------


@pytest.fixture
def history(sr, agent, technician, other_technician, customer_a, team_b, unit):
    """Two requests of the unit: sr (team A, tech1) with a record, and one of team B."""
    make_record(
        sr,
        by=technician,
        parts=[{"part_number": "CAP-35UF", "old_serial": "O1", "new_serial": "N1"}],
    )
    other = make_request(by=agent, customer=customer_a, team=team_b, unit=unit, title="噪音大")
    other = move_to(other, "in_progress", by=agent, assignee=other_technician)
    return sr, other


def _history_numbers(client, serial="SN-AC-0001") -> set[str] | int:
    response = client.get(reverse("unit_history:history", args=[serial]))
    if response.status_code != 200:
        return response.status_code
    return set(re.findall(r'data-history-request="([^"]+)"', response.content.decode()))


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("agent", {"sr", "other"}),
        ("analyst", {"sr", "other"}),
        ("technician", {"sr"}),
        ("other_technician", {"other"}),
        ("supervisor", {"sr"}),
        ("customer_user", {"sr", "other"}),
        ("other_customer_user", 404),
        ("department", {"other"}),
    ],
)
def test_the_history_page_shows_what_each_may_see(client, history, who, sees, request):
    sr, other = history
    client.force_login(request.getfixturevalue(who))
    numbers = {"sr": sr.number, "other": other.number}
    expected = sees if isinstance(sees, int) else {numbers[name] for name in sees}
    assert _history_numbers(client) == expected


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_history_page_lists_dates_records_and_parts(history, agent, language):
    client = Client(headers={"accept-language": language})
    client.force_login(agent)
    body = client.get(reverse("unit_history:history", args=["SN-AC-0001"])).content.decode()
    assert f'<html lang="{language}">' in body
    assert "更换启动电容" in body
    assert "CAP-35UF" in body and "N1" in body
    assert "data-summary-requests>2<" in body


def test_an_unknown_serial_is_not_found(client, agent):
    client.force_login(agent)
    assert client.get(reverse("unit_history:history", args=["NOPE-1"])).status_code == 404


def test_the_history_needs_a_login(history):
    response = Client().get(reverse("unit_history:history", args=["SN-AC-0001"]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_card_names_the_units_earlier_request(client, sr, agent, technician, customer_a, unit):
    done = move_to(
        make_request(by=agent, customer=customer_a, unit=unit, title="上次维修"),
        "closed",
        by=agent,
        assignee=technician,
    )
    again = make_request(by=agent, customer=customer_a, unit=unit, title="又坏了")
    client.force_login(agent)
    body = client.get(detail(again)).content.decode()
    reasons = re.search(r"data-repeat-reasons>(.*?)</ul>", body, re.S).group(1)
    assert done.number in reasons
    assert reverse("service_requests:detail", args=[done.number]) in reasons
    assert "data-repeat-repair" in body
