"""Fixtures shared by every app's tests (loaded by the root conftest)."""

import pytest

from aftersales.core.testing.smtp import SmtpServer, free_port


def _point_mail_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on loopback, and the mail settings pointing at it."""
    server = SmtpServer()
    sink = server.start()
    _point_mail_at(settings, sink.port)
    yield sink
    server.stop()


@pytest.fixture
def smtp_down(settings):
    """Mail settings pointing at a port where nothing listens."""
    _point_mail_at(settings, free_port())
