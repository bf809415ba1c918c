import pytest
from django.utils import translation

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def qc_team(db):
    return Team.objects.create(name="质量控制部", name_en="Production / QC", kind=Team.Kind.QUALITY)


@pytest.fixture
def qc_staff(qc_team):
    user = User(username="qc9", role=User.Role.DEPARTMENT, first_name="何")
    user.set_password("pass-qc9")
    user.save()
    user.teams.set([qc_team])
    return user


@pytest.fixture
def product(db):
    return Product.objects.create(model="KFR-35GW", name="挂式空调")
