"""`make bench`: load BENCH_N service requests, start the real server, measure it over HTTP.

    make bench                                   # SQLite, 100,000 requests
    BENCH_N=1000000 make bench                   # a million
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench make bench

The data live apart from a developer's: AFTERSALES_DATA_DIR=bench/.data/<engine>; on
PostgreSQL the database is dropped and created again, so its name must contain "bench".
The server is `manage.py serve` (gunicorn and the Celery worker) without demo data and
with AFTERSALES_QUERY_COUNT_HEADER=1. Each scenario runs BENCH_SECONDS (10) with wrk
(installed with apt-get when missing, else a Python load generator), against 127.0.0.1
only. The table is printed and written into docs/performance.md, replacing the section
of the database used.
"""

import datetime
import http.client
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
N = int(os.environ.get("BENCH_N", "100000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ENGINE = "postgresql" if DATABASE_URL.startswith(("postgres://", "postgresql://")) else "sqlite"
DATA_DIR = ROOT / "bench" / ".data" / ENGINE
DOC = ROOT / "docs" / "performance.md"
PASSWORD = secrets.token_urlsafe(12)
USERNAME = "bench-agent"
ANALYST = "bench-analyst"


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def env() -> dict[str, str]:
    values = {
        k: v
        for k, v in os.environ.items()
        if k not in {"AFTERSALES_TESTING", "DJANGO_SETTINGS_MODULE", "AFTERSALES_BIND"}
    }
    values |= {
        "DJANGO_SETTINGS_MODULE": "aftersales.config.settings",
        "AFTERSALES_DATA_DIR": str(DATA_DIR),
        "AFTERSALES_DEMO": "0",
        "AFTERSALES_QUERY_COUNT_HEADER": "1",
        "AFTERSALES_ADMIN_PASSWORD": secrets.token_urlsafe(16),
        "PYTHONUNBUFFERED": "1",
    }
    return values


def manage(*args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env(),
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


# --- Data ---------------------------------------------------------------------------------


def database_reset() -> None:
    if ENGINE == "sqlite":
        shutil.rmtree(DATA_DIR, ignore_errors=True)
        DATA_DIR.mkdir(parents=True)
        return
    import psycopg

    url = urllib.parse.urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to drop database {name!r}: its name must contain 'bench'.")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    admin_url = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


SETUP = """
from rest_framework.authtoken.models import Token
from aftersales.accounts.models import User
from aftersales.customers.models import Customer
from aftersales.service_requests.models import ServiceRequest
from django.db import connection
import json
user = User.objects.filter(username="{username}").first() or User(username="{username}", role="agent", first_name="压测客服")
user.set_password("{password}")
user.save()
token, _ = Token.objects.get_or_create(user=user)
analyst = User.objects.filter(username="{analyst}").first() or User(username="{analyst}", role="analyst", first_name="压测分析")
analyst.set_password("{password}")
analyst.save()
sample = ServiceRequest.objects.filter(comments__isnull=False).order_by("-id").first()
with connection.cursor() as cursor:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT current_setting('server_version')")
        version = "PostgreSQL " + cursor.fetchone()[0]
    else:
        cursor.execute("SELECT sqlite_version()")
        version = "SQLite " + cursor.fetchone()[0]
from aftersales.catalog.models import Unit
from aftersales.search.models import SearchDocument
from aftersales.service_requests.models import Comment, ServiceRequestEvent
rows = sum(m.objects.count() for m in (Customer, Unit, ServiceRequest, ServiceRequestEvent, Comment, SearchDocument))
print("BENCH " + json.dumps({{
    "rows": rows,
    "token": token.key,
    "number": sample.number,
    "customer": Customer.objects.order_by("id").values_list("id", flat=True).first(),
    "requests": ServiceRequest.objects.count(),
    "database": version,
}}))
"""


def setup() -> dict[str, object]:
    out = manage(
        "shell",
        "-c",
        SETUP.format(username=USERNAME, analyst=ANALYST, password=PASSWORD),
        capture=True,
    )
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    return json.loads(line.removeprefix("BENCH "))


# --- Server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_start(port: int, log_path: Path) -> subprocess.Popen:
    logfile = log_path.open("w")
    process = subprocess.Popen(
        [PYTHON, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env(),
        stdout=logfile,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"The server exited; see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health/", timeout=2):
                return process
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    sys.exit(f"The server did not answer within 120 s; see {log_path}")


def server_stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def login(base: str, username: str = USERNAME) -> str:
    """Sign in through the login page; returns the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=10).read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        sys.exit("No CSRF token on the login page.")
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1), "username": username, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=body, headers={"Referer": f"{base}/accounts/login/"}
    )
    opener.open(request, timeout=10).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit("Signing in failed: no session cookie.")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


# --- Load ---------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    path: str
    headers: dict[str, str]
    method: str = "GET"
    body: str = ""
    expect: tuple[int, ...] = (200,)


@dataclass
class Result:
    scenario: Scenario
    status: int = 0
    queries: str = "–"
    alone: float = 0.0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    requests: int = 0
    errors: int = 0
    note: str = ""
    tool: str = ""


# Requests made one at a time (after one to warm the caches): the latency of a page on its
# own, which the load of eight connections on two cores hides.
ALONE = 5


def settle(base: str, *, limit: float = 180.0) -> None:
    """Wait (at most `limit` s) until the server answers its health check quickly three
    times in a row: the requests a load left running have finished."""
    deadline = time.monotonic() + limit
    quick = 0
    while quick < 3 and time.monotonic() < deadline:
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health/", timeout=30):
                pass
        except (urllib.error.URLError, OSError):
            quick = 0
            time.sleep(1)
            continue
        quick = quick + 1 if time.perf_counter() - began < 0.1 else 0
        time.sleep(0.5)


def probe(base: str, scenario: Scenario) -> tuple[int, str, float]:
    """One request to warm up, then ALONE more one at a time, redirects not followed (a
    login redirect is a failure, not a page): the status and query count of the last, and
    the median milliseconds of the ALONE."""
    url = urllib.parse.urlparse(base)
    status, queries = 0, "–"
    timings = []
    for attempt in range(1 + ALONE):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
        began = time.perf_counter()
        try:
            conn.request(
                scenario.method,
                scenario.path,
                body=scenario.body.encode() or None,
                headers=scenario.headers,
            )
            response = conn.getresponse()
            response.read()
            status, queries = response.status, response.headers.get("X-Query-Count", "–")
        finally:
            conn.close()
        if attempt:
            timings.append((time.perf_counter() - began) * 1000)
        if status not in scenario.expect:
            break
    return status, queries, statistics.median(timings) if timings else 0.0


WRK_SCRIPT = """
wrk.method = {method}
wrk.body = {body}
{headers}
done = function(summary, latency, requests)
  io.write(string.format(
    "BENCH {{\\"requests\\": %d, \\"seconds\\": %.3f, \\"p50\\": %.3f, \\"p95\\": %.3f, " ..
    "\\"p99\\": %.3f, \\"errors\\": %d}}\\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout + summary.errors.status))
end
"""


def lua_string(value: str) -> str:
    # A JSON string literal without \u escapes is a valid Lua string literal (UTF-8 bytes).
    return json.dumps(value, ensure_ascii=False)


def run_wrk(base: str, scenario: Scenario, result: Result) -> None:
    headers = "\n".join(
        f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in scenario.headers.items()
    )
    script = WRK_SCRIPT.format(
        method=lua_string(scenario.method),
        body=lua_string(scenario.body) if scenario.body else "nil",
        headers=headers,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{THREADS}",
                f"-c{CONNECTIONS}",
                f"-d{SECONDS}s",
                "--timeout",
                "30s",
                "-s",
                handle.name,
                base + scenario.path,
            ],
            check=True,
            text=True,
            capture_output=True,
            timeout=SECONDS + 60,
        ).stdout
    finally:
        os.unlink(handle.name)
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    data = json.loads(line.removeprefix("BENCH "))
    result.requests = data["requests"]
    result.rps = data["requests"] / data["seconds"]
    result.p50, result.p95, result.p99 = data["p50"], data["p95"], data["p99"]
    result.errors = data["errors"]
    result.tool = "wrk"


def run_python(base: str, scenario: Scenario, result: Result) -> None:
    """A plain keep-alive load generator, for machines without wrk."""
    url = urllib.parse.urlparse(base)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request(
                    scenario.method,
                    scenario.path,
                    body=scenario.body.encode() or None,
                    headers=scenario.headers,
                )
                response = conn.getresponse()
                response.read()
                if response.status not in scenario.expect:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            errors += bad

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    result.requests = len(latencies)
    result.rps = len(latencies) / elapsed
    result.p50, result.p95, result.p99 = cuts[49], cuts[94], cuts[98]
    result.errors = errors
    result.tool = "python"


def wrk_available() -> bool:
    if shutil.which("wrk"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk is missing; installing it with apt-get")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=False,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            **quiet,
        )
    return shutil.which("wrk") is not None


# --- SLA ----------------------------------------------------------------------------------

REOPEN_ALL = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute(
        "UPDATE service_requests_servicerequest SET status = 'in_progress', resolved_at = NULL, "
        "closed_at = NULL, cancelled_at = NULL, paused_since = NULL"
    )
from aftersales.service_requests.models import ServiceRequest
print(ServiceRequest.objects.filter(status="in_progress").count())
"""

# Friday afternoons end at 17:30 instead of 18:00 on the working-hours calendar: this moves
# nearly every resolution due time counted on it.
CHANGE_CALENDAR = """
import datetime
from django.db.models import F
from aftersales.sla.models import Calendar, CalendarPeriod
working = Calendar.objects.get(name="工作时间")
CalendarPeriod.objects.filter(calendar=working, weekday=4, start=datetime.time(13)).update(
    end=datetime.time(17, 30)
)
Calendar.objects.filter(pk=working.pk).update(revision=F("revision") + 1)
print(working.pk)
"""


def timed_manage(*args: str) -> tuple[float, str]:
    began = time.monotonic()
    outcome = manage(*args, capture=True).strip()
    return time.monotonic() - began, outcome


def sla_measure() -> list[str]:
    """The pure due-time arithmetic; then, with every request of the database made open,
    the recomputation after a change of the policies (all of them) and after a change of
    the working-hours calendar (those counting on it). Runs after the HTTP scenarios: it
    changes the data."""
    arithmetic = (
        subprocess.run(
            [PYTHON, str(ROOT / "bench" / "sla_bench.py")],
            cwd=ROOT,
            check=True,
            text=True,
            capture_output=True,
        )
        .stdout.strip()
        .splitlines()
    )
    opened = int(manage("shell", "-c", REOPEN_ALL, capture=True).split()[-1])
    log(f"recomputing the due times of {opened:,} open requests (policies changed)")
    all_seconds, all_outcome = timed_manage("sla_recompute")
    calendar = manage("shell", "-c", CHANGE_CALENDAR, capture=True).split()[-1]
    log("recomputing after a change of the working-hours calendar")
    calendar_seconds, calendar_outcome = timed_manage("sla_recompute", "--calendar", calendar)
    return [
        *arithmetic,
        f"after a change of the policies, `sla_recompute` of all {opened:,} open requests "
        f"(the whole command, with start-up): {all_seconds:.0f} s, "
        f"{opened / all_seconds:,.0f} requests/s — {all_outcome}",
        f"after Friday afternoons were shortened on the working-hours calendar, "
        f"`sla_recompute --calendar`: {calendar_seconds:.0f} s — {calendar_outcome}",
    ]


# --- Report -------------------------------------------------------------------------------


def load_average() -> str:
    try:
        return ", ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "?"


def code_version() -> str:
    """The commit measured, and whether uncommitted changes to the code were measured too."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src", "templates", "static"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "?"
    return f"commit {commit}" + (" with uncommitted changes" if dirty else "")


def machine(database: str, load_before: str) -> dict[str, str]:
    memory = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()).group(1))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    cpu = platform.processor() or "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    wrk = "–"
    if shutil.which("wrk"):
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("[")[0]
    return {
        "Code": code_version(),
        "CPU": f"{os.cpu_count()} × {cpu} (nproc {os.cpu_count()})",
        "Memory": memory,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Database": database,
        "Server": (
            f"gunicorn {os.environ.get('AFTERSALES_WEB_WORKERS', '2')} workers × 4 threads "
            "+ Celery worker (manage.py serve)"
        ),
        "Load": f"{wrk.strip() or 'wrk'}, {THREADS} threads, {CONNECTIONS} connections, "
        f"{SECONDS} s per scenario, 127.0.0.1",
        # The machine may be shared: what else ran shows in the load average.
        "Load average (1, 5, 15 min) before → after the measurements": (
            f"{load_before} → {load_average()}"
        ),
    }


def table(results: list[Result]) -> str:
    lines = [
        "| scenario | path | HTTP | queries/request | alone ms | requests/s | p50 ms | p95 ms "
        "| p99 ms | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        path = urllib.parse.unquote(r.scenario.path)
        if r.note:
            lines.append(
                f"| {r.scenario.name} | `{path}` | {r.status} | – | – | – | – | – | – | {r.note} |"
            )
            continue
        lines.append(
            f"| {r.scenario.name} | `{path}` | {r.status} | {r.queries} | {r.alone:.0f} | "
            f"{r.rps:,.0f} | "
            f"{r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | {r.errors} of {r.requests:,} |"
        )
    return "\n".join(lines)


def write_doc(section: str) -> None:
    start, end = f"<!-- bench:{ENGINE}:start -->", f"<!-- bench:{ENGINE}:end -->"
    block = f"{start}\n{section}\n{end}"
    text = DOC.read_text() if DOC.exists() else HEADER
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text)


HEADER = """# Performance

`make bench` measures the product as it runs: `manage.py seed_bulk` loads `BENCH_N`
service requests (default 100,000) into a data directory of its own (`bench/.data/`),
`manage.py serve` starts gunicorn and the Celery worker, and `wrk` measures each page and
API call for 10 s over 127.0.0.1, signed in as an agent (session cookie for the console,
`Authorization: Token` for the API). Queries per request come from the `X-Query-Count`
header (`AFTERSALES_QUERY_COUNT_HEADER=1`); "alone ms" is the median of 5 requests made one
at a time after one to warm up (a page's own latency, which eight connections on two cores
hide). Each section below is replaced by the run on its database.

    make bench                                            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench make bench
    BENCH_N=1000000 make bench                            # a million requests
"""


def main() -> None:
    started = time.monotonic()
    log(f"{ENGINE}: fresh database, data directory {DATA_DIR.relative_to(ROOT)}")
    database_reset()
    manage("migrate", "-v0")
    log(f"seeding {N:,} service requests")
    seed_started = time.monotonic()
    manage("seed_bulk", "--count", str(N), "-v0", capture=True)
    seed_seconds = time.monotonic() - seed_started
    info = setup()
    seeding = (
        f"{N:,} requests, {info['rows']:,} rows in all, in {seed_seconds:.0f} s "
        f"(the whole command): {N / seed_seconds:,.0f} requests/s, "
        f"{info['rows'] / seed_seconds:,.0f} rows/s"
    )
    log(f"seeded {seeding}; database {info['database']}")
    log("building the measures' daily rollups (manage.py rollup_measures)")
    rollup_seconds, rollup_outcome = timed_manage("rollup_measures", "-v0")
    rolled = f"{rollup_seconds:.0f} s for the whole command ({rollup_outcome.splitlines()[-1]})"
    log(f"rollups: {rolled}")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = DATA_DIR / "server.log"
    log(f"starting manage.py serve on {base}")
    server = server_start(port, server_log)
    try:
        cookie = login(base)
        html = {"Cookie": cookie, "Accept": "text/html"}
        manager = {"Cookie": login(base, ANALYST), "Accept": "text/html"}
        last = datetime.datetime.now(datetime.UTC).date()
        year = f"from={last - datetime.timedelta(days=364)}&to={last}"
        api = {"Authorization": f"Token {info['token']}", "Accept": "application/json"}
        create = json.dumps(
            {
                "customer": info["customer"],
                "title": "压测：空调不制冷",
                "description": "压测创建的服务单，空调开机后不制冷。",
                "kind": "repair",
                "category": "product_quality",
            },
            ensure_ascii=False,
        )
        scenarios = [
            Scenario("console list (default view)", "/", html),
            Scenario("console list, filtered", "/?status=new&priority=high", html),
            Scenario("console detail", f"/{info['number']}/", html),
            Scenario("API list", "/api/v1/service-requests/", api),
            Scenario("manager dashboard, a year", f"/dashboards/?{year}", manager),
            Scenario("manager dashboard, 30 days", "/dashboards/", manager),
            Scenario("team ranking, a year", f"/dashboards/teams/?{year}", manager),
            Scenario("person ranking, a year", f"/dashboards/people/?{year}", manager),
            Scenario(
                "API measures by team, a year",
                f"/api/v1/metrics/?{year}&group_by=team",
                {**manager, "Accept": "application/json"},
            ),
            Scenario(
                "API create",
                "/api/v1/service-requests/",
                {**api, "Content-Type": "application/json; charset=utf-8"},
                method="POST",
                body=create,
                expect=(201,),
            ),
            # The slow ones last: the requests still running when wrk stops would weigh on
            # the next scenario.
            Scenario("console search, 4 chars", "/?search=" + urllib.parse.quote("不制冷了"), html),
            Scenario("console search, 2 chars", "/?search=" + urllib.parse.quote("制冷"), html),
            Scenario(
                "API search, 2 chars",
                "/api/v1/service-requests/?search=" + urllib.parse.quote("制冷"),
                api,
            ),
        ]
        use_wrk = wrk_available()
        load_before = load_average()
        results = []
        for scenario in scenarios:
            settle(base)
            result = Result(scenario)
            result.status, result.queries, result.alone = probe(base, scenario)
            if result.status not in scenario.expect:
                result.note = f"not measured: HTTP {result.status}"
                log(f"{scenario.name}: {result.note}")
                results.append(result)
                continue
            log(f"{scenario.name}: {SECONDS} s with {'wrk' if use_wrk else 'Python'}")
            (run_wrk if use_wrk else run_python)(base, scenario, result)
            results.append(result)
    finally:
        server_stop(server)

    sla_lines = sla_measure()
    details = machine(str(info["database"]), load_before)
    report = table(results)
    print()
    print(report)
    print()
    command = (
        f"BENCH_N={N} make bench"
        if not DATABASE_URL
        else (f"DATABASE_URL={DATABASE_URL} BENCH_N={N} make bench")
    )
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    title = "PostgreSQL" if ENGINE == "postgresql" else "SQLite"
    section = "\n".join(
        [
            f"## {title}",
            "",
            f"Measured {today} with `{command}` ({info['requests']:,} requests in the database).",
            "",
            *(f"- {k}: {v}" for k, v in details.items()),
            f"- Seeding (`seed_bulk`): {seeding}",
            f"- Measures' daily rollups (`rollup_measures`, every day at once): {rolled}",
            "",
            report,
            "",
            "SLA due times (`bench/sla_bench.py`: the arithmetic on one core; then every"
            " request of this database made open and `manage.py sla_recompute` timed):",
            "",
            *(f"- {line}" for line in sla_lines),
        ]
    )
    write_doc(section)
    log(f"wrote {DOC.relative_to(ROOT)} ({time.monotonic() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
