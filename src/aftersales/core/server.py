"""Running the product on one machine: prepare the data, then supervise the web server and
the background worker as two child processes.

- server_prepare: migrate, collect static files, ensure the administrator, load the demo once
- Supervisor: start gunicorn and a Celery worker with embedded beat, stop both together
"""

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.utils.translation import gettext as _

from aftersales.accounts.services import admin_ensure
from aftersales.config.env import env_bool, env_int, env_str

DEMO_MARKER = "demo-loaded"
STOP_TIMEOUT = 15.0

Write = Callable[[str], None]


@dataclass
class Prepared:
    admin_username: str
    admin_password: str | None = None
    demo_accounts: list[tuple[str, str, str]] = field(default_factory=list)
    demo_loaded: bool = False


def broker_directory_ensure() -> None:
    """The SQLite broker file lives under the data directory; SQLite creates the file but not
    its directory."""
    url = settings.CELERY_BROKER_URL or ""
    prefix = "sqla+sqlite:///"
    if url.startswith(prefix):
        Path(url.removeprefix(prefix)).parent.mkdir(parents=True, exist_ok=True)


def server_prepare(*, verbosity: int = 0, demo: bool | None = None) -> Prepared:
    """Bring the database and static files up to date, create the administrator if missing
    and, the first time only, load the demo data (unless AFTERSALES_DEMO=0)."""
    broker_directory_ensure()
    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("collectstatic", interactive=False, verbosity=verbosity)
    username = env_str("AFTERSALES_ADMIN_USER", "admin") or "admin"
    _user, generated = admin_ensure(
        username=username, password=env_str("AFTERSALES_ADMIN_PASSWORD", "") or None
    )
    prepared = Prepared(admin_username=username, admin_password=generated)
    if demo is None:
        demo = env_bool("AFTERSALES_DEMO", default=True)
    marker = Path(settings.DATA_DIR) / DEMO_MARKER
    if demo and not marker.exists():
        from aftersales.core import demo as demo_data

        result = demo_data.demo_seed()
        prepared.demo_loaded = result.created
        prepared.demo_accounts = result.accounts
        marker.write_text(_("Demo data loaded; delete this file to load them again.\n"))
    return prepared


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def wait_for_port(host: str, port: int, *, timeout: float, alive: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # If the supervisor is killed outright (SIGKILL), the children must not linger on the port.
    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def web_command(bind: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "aftersales.config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(env_int("AFTERSALES_WEB_WORKERS", 2)),
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
        *_no_control_socket(),
    ]


def _no_control_socket() -> list[str]:
    # Recent gunicorn opens a control socket at one fixed path in the home directory, so two
    # servers on one machine (a developer's and the tests') would fight over it; we use none.
    from gunicorn.config import KNOWN_SETTINGS

    known = {s.name for s in KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in known else []


def worker_command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "aftersales",
        "worker",
        "-B",
        "--scheduler",
        "django_celery_beat.schedulers:DatabaseScheduler",
        "--concurrency",
        "2",
        "-l",
        "info",
    ]


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[Any] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Supervisor:
    """Starts the children, forwards SIGINT/SIGTERM to them once, and stops them all when
    any of them ends. `watch` returns the exit code for the whole server."""

    def __init__(self, children: list[Child], *, write: Write, stop_timeout: float = STOP_TIMEOUT):
        self.children = children
        self.write = write
        self.stop_timeout = stop_timeout
        self.received: int | None = None

    def _on_signal(self, signum: int, _frame: Any) -> None:
        if self.received is None:
            self.received = signum

    def start(self) -> None:
        env = os.environ.copy()
        # The children import the project from the source tree, whatever their working directory.
        src = str(Path(settings.PACKAGE_DIR).parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
        env.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
        env["PYTHONUNBUFFERED"] = "1"
        for child in self.children:
            # Each child gets its own process group, so a Ctrl-C in the terminal reaches only
            # the supervisor, which forwards it exactly once (Celery takes a second Ctrl-C as
            # "cold shutdown: kill the running tasks").
            child.process = subprocess.Popen(  # noqa: S603 - our own fixed command line
                child.command,
                env=env,
                process_group=0,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def stop(self, signum: int = signal.SIGTERM) -> None:
        """Forward `signum`, wait up to the timeout, then kill what is left."""
        for child in self.children:
            if child.running:
                child.process.send_signal(signum)  # type: ignore[union-attr]
            elif child.process is not None:
                # A child that died leaves its own children (gunicorn's workers) behind.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.write(
                    _("%(name)s did not stop within %(seconds)d s; killing it.")
                    % {"name": child.name, "seconds": self.stop_timeout}
                )
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()

    def watch(self) -> int:
        """Block until a signal arrives or a child ends; then stop everything."""
        while True:
            if self.received is not None:
                signum = self.received
                self.write(
                    _("Stopping (signal %(signal)s)…") % {"signal": signal.Signals(signum).name}
                )
                self.stop(signum)
                return 0
            for child in self.children:
                if not child.running:
                    code = child.process.returncode if child.process else None
                    self.write(
                        _("%(name)s ended unexpectedly (exit code %(code)s); stopping the rest.")
                        % {"name": child.name, "code": code}
                    )
                    self.stop(signal.SIGTERM)
                    return 1
            time.sleep(0.2)
