"""How much memory the mail intake needs for a message just under the size limit
(RELIABILITY E14: a 24 MB photo must not take a worker to gigabytes).

    .venv/bin/python bench/mail_memory.py

In a fresh data directory (SQLite): `manage.py mail_receive` reads a 24 MB message (one
JPEG-sized attachment of random bytes, base64 as mail clients send it) from standard input,
stores and processes it; the peak resident memory of that process is read from the kernel
(wait4's rusage) and compared with the same command given a 2 KB message. Prints a table
and writes it into docs/performance.md under "Mail intake memory".
"""

import os
import re
import subprocess
import sys
import tempfile
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
HEADING = "## Mail intake memory"


def _message(attachment_bytes: int) -> bytes:
    mail = EmailMessage()
    mail["From"] = "王芳 <wang@example.com>"
    mail["To"] = "service@example.com"
    mail["Subject"] = "洗衣机照片"
    mail["Message-ID"] = f"<bench-{attachment_bytes}@example.com>"
    mail.set_content("照片见附件。")
    if attachment_bytes:
        mail.add_attachment(
            os.urandom(attachment_bytes), maintype="image", subtype="jpeg", filename="照片.jpg"
        )
    return mail.as_bytes()


def _peak_mb(command: list[str], stdin: bytes, env: dict[str, str]) -> tuple[float, str]:
    with tempfile.TemporaryFile() as source:
        source.write(stdin)
        source.seek(0)
        process = subprocess.Popen(
            command, stdin=source, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        out = process.stdout.read().decode() if process.stdout else ""
        err = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {err}")
    return usage.ru_maxrss / 1024, out.strip()  # Linux reports KiB


def main() -> None:
    data = tempfile.mkdtemp(prefix="aftersales-mailbench-")
    env = {**os.environ, "AFTERSALES_DATA_DIR": data, "AFTERSALES_DEMO": "0"}
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True)
    rows = []
    for label, size in (("2 KB text", 0), ("24 MB attachment", 24 * 1024 * 1024 * 3 // 4)):
        raw = _message(size)
        peak, result = _peak_mb([*manage, "mail_receive"], raw, env)
        rows.append((label, len(raw) / 1024 / 1024, peak, result))
    table = [
        "| message | size on the wire (MB) | peak RSS of `mail_receive` (MB) | outcome |",
        "|---|---:|---:|---|",
        *[
            f"| {label} | {size:.1f} | {peak:.0f} | {result} |"
            for label, size, peak, result in rows
        ],
    ]
    growth = rows[1][2] - rows[0][2]
    text = "\n".join(
        [
            HEADING,
            "",
            "Measured by `bench/mail_memory.py` (SQLite, one process reading one message from",
            "standard input as an MTA pipe does; peak resident memory from the kernel's rusage).",
            "The 24 MB message is a base64 attachment of 18 MB of random bytes, as a phone photo",
            "is sent. Budget (RELIABILITY E14): under 300 MB.",
            "",
            *table,
            "",
            f"The large message costs {growth:.0f} MB more than a small one. Most of it is the",
            "standard library's parser, which holds the encoded attachment as text lines and then",
            "as one string before decoding it; the parser is fed a megabyte at a time and the raw",
            "message is held once.",
            "Within the budget."
            if rows[1][2] < 300
            else "Over the budget: a streaming parser for large parts is the next step.",
            "",
        ]
    )
    print(text)
    doc = DOC.read_text()
    pattern = re.compile(rf"{re.escape(HEADING)}\n.*?(?=\n## |\Z)", re.S)
    doc = (
        pattern.sub(text.rstrip("\n") + "\n", doc)
        if pattern.search(doc)
        else doc.rstrip("\n") + "\n\n" + text
    )
    DOC.write_text(doc)


if __name__ == "__main__":
    main()
