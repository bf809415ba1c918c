import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from aftersales.customers.models import Customer
from aftersales.imports.columns import CUSTOMER_COLUMNS
from aftersales.imports.models import ImportJob
from aftersales.imports.tests.files import CUSTOMERS, csv_bytes

pytestmark = pytest.mark.django_db


def test_upload_report_confirm_and_history(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/imports/")
    assert page.status_code == 200
    assert b"data-import-form" in page.content
    response = client.post(
        "/imports/",
        {"kind": "customers", "file": SimpleUploadedFile("c.csv", csv_bytes(CUSTOMERS))},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    detail = client.get(f"/imports/{job.pk}/").content.decode()
    assert "3 rows: 3 new, 0 updated, 0 unchanged." in detail
    assert "data-import-confirm" in detail
    assert not Customer.objects.exists()
    client.post(f"/imports/{job.pk}/confirm/")
    assert Customer.objects.count() == 3
    detail = client.get(f"/imports/{job.pk}/").content.decode()
    assert 'data-import-status="imported"' in detail and "data-import-confirm" not in detail
    assert f'data-import="{job.pk}"' in client.get("/imports/").content.decode()


def test_errors_on_the_page_and_as_a_formula_safe_csv(client, admin_user):
    client.force_login(admin_user)
    rows = [["name", "phone", "email"], ['=HYPERLINK("http://x")', "", "bad"]]
    client.post(
        "/imports/", {"kind": "customers", "file": SimpleUploadedFile("c.csv", csv_bytes(rows))}
    )
    job = ImportJob.objects.get()
    detail = client.get(f"/imports/{job.pk}/").content.decode()
    assert "data-import-errors" in detail and "data-import-confirm" not in detail
    report = b"".join(client.get(f"/imports/{job.pk}/errors.csv").streaming_content).decode()
    assert report.startswith("\ufeffRow,Column,Value,")
    assert "\r\n2,email,bad," in report
    # A value that is a formula comes back in the report as text a spreadsheet will not run.
    rows = [["name", "phone", "kind"], ["甲", "13700000001", '=HYPERLINK("http://x")']]
    client.post(
        "/imports/", {"kind": "customers", "file": SimpleUploadedFile("d.csv", csv_bytes(rows))}
    )
    job = ImportJob.objects.latest("id")
    assert job.status == "failed" and job.errors[0]["value"] == '=HYPERLINK("http://x")'
    report = b"".join(client.get(f"/imports/{job.pk}/errors.csv").streaming_content).decode()
    assert '\r\n2,kind,"\'=HYPERLINK(""http://x"")",' in report


def test_an_unreadable_file_is_a_message_on_the_page(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/imports/", {"kind": "customers", "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")}
    )
    assert response.status_code == 400
    assert b"data-import-error" in response.content
    assert not ImportJob.objects.exists()


def test_templates_to_download(client, admin_user):
    client.force_login(admin_user)
    text = b"".join(client.get("/imports/template/customers.csv").streaming_content).decode()
    assert text.splitlines()[0] == "\ufeff" + ",".join(c.name for c in CUSTOMER_COLUMNS)
    response = client.get("/imports/template/requests.xlsx")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert header[:3] == ("number", "external_reference", "received_at")
    assert client.get("/imports/template/robots.csv").status_code == 404


@pytest.mark.parametrize("role", ["agent", "technician", "analyst", "customer_user"])
def test_others_may_not_import(client, role, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/imports/").status_code == 403
    assert client.get("/imports/template/customers.csv").status_code == 403


def test_supervisors_are_offered_the_directory_kinds(client, supervisor):
    client.force_login(supervisor)
    page = client.get("/imports/").content.decode()
    assert 'value="customers"' in page and 'value="units"' in page
    assert 'value="requests"' not in page


def test_an_imported_request_on_the_list_and_its_page(client, admin_user, customer_a):
    from aftersales.imports import services
    from aftersales.service_requests.models import ServiceRequest

    rows = [
        [
            "received_at",
            "title",
            "customer_phone",
            "status",
            "resolved_at",
            "closed_at",
            "resolution",
        ],
        [
            "2025-05-01 09:00",
            "历史空调单",
            "13800138000",
            "closed",
            "2025-05-02 09:00",
            "2025-05-03 09:00",
            "已修复",
        ],
    ]
    services.import_file(
        kind="requests", file_name="old.csv", data=csv_bytes(rows), by=admin_user, dry_run=False
    )
    request = ServiceRequest.objects.get()
    client.force_login(admin_user)
    listing = client.get("/", {"view": "all", "status": "closed"}).content.decode()
    assert request.number in listing
    page = client.get(f"/{request.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Imported from a file" in page and "old.csv" in page
    assert "2025-05-01" in page
