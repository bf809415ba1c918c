"""Property-based run over the whole API from its own OpenAPI document (RELIABILITY R01):
no generated input, valid or not, may produce a server error, and every answer is JSON."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token

from aftersales.config.wsgi import application
from aftersales.service_requests.tests.factories import make_request


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI app directly would close the database connection after each request
    (as in production), ending the test's transaction; Django's test client avoids the same."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
def test_no_input_makes_a_server_error(mode, agent, customer_a):
    request = make_request(by=agent, customer=customer_a)
    token = Token.objects.create(user=agent).key
    failures = []
    for operation in _operations():
        path_parameters = {"number": request.number} if "{number}" in operation.path else None

        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
        @settings(
            max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case):
            case.headers = {**(case.headers or {}), "Authorization": f"Token {token}"}
            response = case.call()
            if response.status_code >= 500:
                failures.append(
                    (case.method, case.path, case.path_parameters, response.status_code)
                )
            headers = {key.lower(): value for key, value in response.headers.items()}
            content_type = headers.get("content-type", [""])
            content_type = content_type[0] if isinstance(content_type, list) else content_type
            if response.status_code >= 400 and not content_type.startswith("application/json"):
                failures.append((case.method, case.path, "non-JSON error", response.status_code))

        try:
            check()
        except Unsatisfiable:
            continue  # nothing invalid can be generated for this operation (no inputs)
    assert not failures, failures[:10]
