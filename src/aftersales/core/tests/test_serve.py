"""`manage.py serve` as a person runs it: a real gunicorn and a real Celery worker."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]

pytestmark = pytest.mark.skipif(
    not Path("/proc").is_dir() or sys.platform != "linux", reason="needs Linux /proc"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our http URL
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


_OVERDUE_REQUEST = """
import datetime
from django.utils import timezone
from aftersales.accounts.models import Team, User
from aftersales.customers.models import Customer
from aftersales.service_requests import services
lead = User.objects.create(username="lead", role="supervisor", email="lead@example.com", language="en")
team = Team.objects.create(name="Field", supervisor=lead)
customer = Customer.objects.create(name="Zhang", phone="13800000000")
received = timezone.now() - datetime.timedelta(days=10)
data = {"title": "No cooling", "team": team, "received_at": received, "impact": "high", "urgency": "high"}
print(services.service_request_create(by=None, customer=customer, data=data).number)
"""


def _sla_breach_reaches_the_supervisor_by_mail(env: dict[str, str], mail_dir: Path) -> None:
    """The sweep, sent through the broker, runs in the worker; the mail it writes is sent
    by the worker after commit (to files: no SMTP host is configured)."""
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", _OVERDUE_REQUEST],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    number = made.stdout.strip().splitlines()[-1]
    subprocess.run(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "aftersales",
            "call",
            "aftersales.service_requests.tasks.sla_sweep",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=60,
        check=True,
    )
    deadline = time.monotonic() + 60
    found = ""
    while time.monotonic() < deadline and f"{number}: Resolution missed" not in found:
        time.sleep(0.5)
        found = "".join(f.read_text() for f in mail_dir.glob("*.log")) if mail_dir.is_dir() else ""
    assert f"{number}: Resolution missed" in found, found
    assert "To: lead@example.com" in found


@pytest.mark.parametrize("broker", ["sqlite", "redis"])
def test_serve_runs_web_and_worker_and_stops_both_on_ctrl_c(tmp_path, broker):
    if broker == "redis" and not _redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"AFTERSALES_TESTING", "DATABASE_URL", "REDIS_URL", "AFTERSALES_BIND"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "aftersales.config.settings",
        "AFTERSALES_DATA_DIR": str(tmp_path / "data"),
        "AFTERSALES_DEMO": "0",
        "AFTERSALES_WEB_WORKERS": "1",
        # A database of Redis's own for this run, so that nothing else's tasks are consumed.
        **({"REDIS_URL": "redis://127.0.0.1:6379/13"} if broker == "redis" else {}),
    }
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        health: dict = {}
        # Generous: first start migrates and compresses static files, and CI runs tests in parallel.
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _headers, body = _get(f"{base}/api/v1/health/")
            except OSError:
                time.sleep(0.3)
                continue
            health = json.loads(body)
            if status == 200 and health.get("worker") == "ok":
                break
            time.sleep(0.3)
        log.seek(0)
        output = log.read()
        assert health.get("database") == "ok", output
        # The worker's first heartbeat went through the SQLite broker and was run.
        assert health.get("worker") == "ok", output
        assert health["worker_last_beat"], output
        assert re.search(r"\badmin / \S{12,}", output), output  # the generated password, once
        assert f"http://127.0.0.1:{port}/" in output

        manifest = json.loads((tmp_path / "data" / "static" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["css/app.css"]
        status, headers, body = _get(f"{base}/static/{hashed}")
        assert status == 200
        assert "immutable" in headers.get("Cache-Control", "")  # whitenoise, not Django
        assert body

        _sla_breach_reaches_the_supervisor_by_mail(env, tmp_path / "data" / "mail")

        children = _children(server.pid)
        assert len(children) == 2, children

        server.send_signal(signal.SIGINT)
        server.wait(timeout=25)
        assert server.returncode == 0
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.2)
        assert not [pid for pid in children if _alive(pid)]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
