"""The metrics' week of service (see aftersales/metrics/tests/conftest.py) is the fixture."""

from aftersales.metrics.tests.conftest import _english, week  # noqa: F401
