import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """The tests read the product's texts as they are written."""
    with translation.override("en"):
        yield


@pytest.fixture
def english_customer(customer_a):
    customer_a.language = "en"
    customer_a.save()
    return customer_a
