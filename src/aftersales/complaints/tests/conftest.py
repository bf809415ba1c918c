import base64
import io

import pytest
from django.core.cache import cache
from django.utils import translation
from PIL import Image, ImageDraw

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product, Unit


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _member(username: str, role: str, team: Team) -> User:
    user = User(username=username, role=role, first_name=username)
    user.set_password("pass-" + username)
    user.save()
    user.teams.set([team])
    return user


@pytest.fixture
def complaints_team(db):
    team = Team.objects.create(name="投诉处理组", name_en="Complaints", kind=Team.Kind.COMPLAINTS)
    lead = _member("lead2", User.Role.SUPERVISOR, team)
    team.supervisor = lead
    team.save()
    return team


@pytest.fixture
def complaint_lead(complaints_team):
    return complaints_team.supervisor


@pytest.fixture
def other_lead(complaints_team):
    return _member("lead3", User.Role.SUPERVISOR, complaints_team)


@pytest.fixture
def warehouse_user(db):
    team = Team.objects.create(name="成品仓", name_en="Warehouse", kind=Team.Kind.WAREHOUSE)
    return _member("wh1", User.Role.DEPARTMENT, team)


@pytest.fixture
def marketing_user(db):
    team = Team.objects.create(name="市场部", name_en="Marketing", kind=Team.Kind.MARKETING)
    return _member("mk1", User.Role.DEPARTMENT, team)


@pytest.fixture
def finance_user(db):
    team = Team.objects.create(name="财务部", name_en="Finance", kind=Team.Kind.FINANCE)
    return _member("fi1", User.Role.DEPARTMENT, team)


@pytest.fixture
def product(db):
    return Product.objects.create(model="JSQ-16", name="燃气热水器")


@pytest.fixture
def unit(product, customer_a):
    return Unit.objects.create(
        product=product, customer=customer_a, serial_number="SN-C-1", batch_number="B2026-07"
    )


def signature_url(*, ink: bool = True, size: tuple[int, int] = (300, 120)) -> str:
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    if ink:
        ImageDraw.Draw(image).line([(10, 60), (150, 20), (290, 100)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def client():
    """A browser asking for English, the language the assertions are written in."""
    from django.test import Client

    return Client(headers={"accept-language": "en"})
