"""Actors shared by every test: one of each role, in two teams, and two customers."""

import pytest

from aftersales.accounts.models import Team, User
from aftersales.customers.models import Customer

pytest_plugins = ["aftersales.core.testing.fixtures"]


@pytest.fixture
def team_a(db):
    return Team.objects.create(
        name="一线技术组", name_en="Field team A", kind=Team.Kind.FIELD_SERVICE
    )


@pytest.fixture
def team_b(db):
    return Team.objects.create(name="研发组", name_en="R&D team", kind=Team.Kind.RND)


def _user(username: str, role: str, teams=(), **extra) -> User:
    user = User(username=username, role=role, first_name=username, **extra)
    user.set_password("pass-" + username)
    user.save()
    if teams:
        user.teams.set(teams)
    return user


@pytest.fixture
def customer_a(db):
    return Customer.objects.create(name="张三", phone="13800138000", email="zhang@example.com")


@pytest.fixture
def customer_b(db):
    return Customer.objects.create(name="李四", phone="13900139000", email="li@example.com")


@pytest.fixture
def agent(db):
    return _user("agent1", User.Role.AGENT)


@pytest.fixture
def technician(team_a):
    return _user("tech1", User.Role.TECHNICIAN, [team_a])


@pytest.fixture
def other_technician(team_b):
    return _user("tech2", User.Role.TECHNICIAN, [team_b])


@pytest.fixture
def supervisor(team_a):
    return _user("lead1", User.Role.SUPERVISOR, [team_a])


@pytest.fixture
def department(team_b):
    return _user("qc1", User.Role.DEPARTMENT, [team_b])


@pytest.fixture
def analyst(db):
    return _user("analyst1", User.Role.ANALYST)


@pytest.fixture
def admin_user(db):
    return _user("admin1", User.Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def customer_user(customer_a):
    return _user("cust1", User.Role.CUSTOMER, customer=customer_a)


@pytest.fixture
def other_customer_user(customer_b):
    return _user("cust2", User.Role.CUSTOMER, customer=customer_b)
