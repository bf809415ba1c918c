import pytest
from django.utils import translation

from aftersales.catalog.models import Product


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def product(db):
    return Product.objects.create(model="KFR-35GW", name="壁挂空调", warranty_months=24)


@pytest.fixture
def client():
    """A browser asking for English, the language the assertions are written in."""
    from django.test import Client

    return Client(headers={"accept-language": "en"})
