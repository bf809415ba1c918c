"""A real IMAP server for the intake tests: Dovecot (Debian's dovecot-imapd) on 127.0.0.1
with the test configuration in tests/fixtures/dovecot-test.conf, a fresh directory and a
free port per test session. Tests that need it are skipped, saying why, only where the
binary is missing; CI installs it (.ci/run)."""

import imaplib
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import translation

from aftersales.core.testing.smtp import free_port

CONFIG = Path(__file__).resolve().parents[4] / "tests" / "fixtures" / "dovecot-test.conf"
USERS = {"service": "service-pass", "parts": "parts-pass"}


@dataclass
class Dovecot:
    host: str
    port: int
    config: Path
    rundir: Path

    def connect(self, user: str = "service") -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(user, USERS[user])
        return conn

    def append(self, raw: bytes, *, user: str = "service", folder: str = "INBOX") -> None:
        conn = self.connect(user)
        try:
            typ, data = conn.append(folder, None, None, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def unseen(self, *, user: str = "service", folder: str = "INBOX") -> list[int]:
        conn = self.connect(user)
        try:
            conn.select(folder, readonly=True)
            _typ, data = conn.uid("SEARCH", None, "UNSEEN")
            return [int(uid) for uid in (data[0] or b"").split()]
        finally:
            conn.logout()

    def doveadm(self, *args: str) -> None:
        subprocess.run(["doveadm", "-c", str(self.config), *args], check=True, timeout=30)

    def recreate(self, folder: str, *, user: str = "service") -> None:
        """Delete and create a folder again: a new UIDVALIDITY, UIDs from 1 again."""
        self.doveadm("mailbox", "delete", "-u", user, folder)
        self.doveadm("mailbox", "create", "-u", user, folder)

    def stop(self) -> None:
        subprocess.run(["doveadm", "-c", str(self.config), "stop"], timeout=30, check=False)
        for _ in range(100):
            if not _listening(self.port):
                return
            time.sleep(0.05)

    def start(self) -> None:
        subprocess.run(["dovecot", "-c", str(self.config)], check=True, timeout=30)
        for _ in range(200):
            if _listening(self.port):
                return
            time.sleep(0.05)
        raise RuntimeError((self.rundir / "dovecot.log").read_text(errors="replace"))


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _reasons_in_english():
    """Reasons and flags are written in the active language (the service's, Simplified
    Chinese, in a worker); the tests read them in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def dovecot():
    """A running Dovecot with two mailboxes (users service and parts), emptied per test."""
    if shutil.which("dovecot") is None or shutil.which("doveadm") is None:
        pytest.skip("Dovecot is not installed here (apt-get install dovecot-imapd); CI has it")
    rundir = Path(tempfile.mkdtemp(prefix="aftersales-dovecot-"))
    rundir.chmod(0o755)
    for name in ("run", "state", "mail"):
        (rundir / name).mkdir()
    (rundir / "mail").chmod(0o777)
    (rundir / "users").write_text("".join(f"{u}:{p}\n" for u, p in USERS.items()))
    port = free_port()
    config = rundir / "dovecot.conf"
    config.write_text(
        CONFIG.read_text().replace("@RUNDIR@", str(rundir)).replace("@PORT@", str(port))
    )
    server = Dovecot(host="127.0.0.1", port=port, config=config, rundir=rundir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(rundir, ignore_errors=True)


@pytest.fixture
def client():
    """A browser asking for English, the language the assertions are written in."""
    from django.test import Client

    return Client(headers={"accept-language": "en"})
