import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.customers.models import Customer
from aftersales.imports.tests.files import CUSTOMERS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def post(client, kind, data, name="c.csv", **extra):
    return client.post(
        "/api/v1/imports/",
        {"kind": kind, "file": SimpleUploadedFile(name, data), **extra},
        format="multipart",
    )


def test_dry_run_then_confirm(admin_user):
    client = client_for(admin_user)
    workbook = xlsx_bytes(CUSTOMERS)
    response = post(client, "customers", workbook, name="c.xlsx", dry_run="true")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "validated" and body["file_format"] == "xlsx"
    assert (body["rows_total"], body["rows_new"], body["errors"]) == (3, 3, [])
    assert not Customer.objects.exists()
    confirmed = client.post(f"/api/v1/imports/{body['id']}/confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "imported"
    assert Customer.objects.count() == 3
    assert client.post(f"/api/v1/imports/{body['id']}/confirm/").status_code == 409
    # The same file again: recognised, and nothing new.
    again = post(client, "customers", workbook, name="c.xlsx").json()
    assert again["previous_import"] == body["id"]
    assert (again["status"], again["rows_unchanged"]) == ("imported", 3)
    listed = client.get("/api/v1/imports/").json()
    assert listed["count"] == 2


def test_row_errors_are_the_jobs_report(admin_user):
    rows = [["name", "phone"], ["甲", ""]]
    response = post(client_for(admin_user), "customers", csv_bytes(rows))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "failed"
    assert [(e["row"], e["column"], e["value"]) for e in body["errors"]] == [(2, "phone", "")]
    assert body["errors"][0]["message"]


def test_bad_input_names_the_field(admin_user):
    client = client_for(admin_user)
    response = post(client, "customers", b"%PDF-1.4", name="x.pdf")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["file"]
    response = post(client, "robots", csv_bytes(CUSTOMERS))
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["kind"]


def test_supervisors_import_the_directory_only(supervisor, admin_user):
    client = client_for(supervisor)
    assert post(client, "customers", csv_bytes(CUSTOMERS)).status_code == 201
    refused = post(client, "requests", csv_bytes([["title"], ["x"]]))
    assert refused.status_code == 403
    # A request-history job of an administrator is not theirs to see.
    rows = [["title", "received_at", "customer_phone", "status"]]
    job = post(client_for(admin_user), "requests", csv_bytes(rows), dry_run="true").json()
    assert client.get(f"/api/v1/imports/{job['id']}/").status_code == 404
