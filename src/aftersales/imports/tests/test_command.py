import pytest
from django.core.management import CommandError, call_command

from aftersales.customers.models import Customer
from aftersales.imports.tests.files import CUSTOMERS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def test_dry_run_then_import(tmp_path, admin_user, capsys):
    path = tmp_path / "customers.xlsx"
    path.write_bytes(xlsx_bytes(CUSTOMERS))
    call_command("import_data", str(path), kind="customers", dry_run=True, user="admin1")
    assert "3 rows, 3 new" in capsys.readouterr().out
    assert not Customer.objects.exists()
    call_command("import_data", str(path), kind="customers", user="admin1")
    assert Customer.objects.count() == 3


def test_errors_are_printed_and_nothing_written(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([["name", "phone"], ["甲", "13700000001"], ["", "13700000002"]]))
    with pytest.raises(CommandError, match="1 errors"):
        call_command("import_data", str(path), kind="customers")
    assert "row 3, name" in capsys.readouterr().out
    assert not Customer.objects.exists()
