"""The intake's test corpus (RELIABILITY §4.1): each builder returns the bytes a mail server
would hand us, written out by hand so every odd byte is deliberate."""

import base64

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def ew(text: str, charset: str = "gb2312", codec: str = "gb18030") -> str:
    """An RFC 2047 B-encoded word."""
    return f"=?{charset}?B?{_b64(text.encode(codec))}?="


def headers(**fields: str) -> bytes:
    lines = [f"{name.replace('_', '-')}: {value}" for name, value in fields.items()]
    return ("\r\n".join(lines) + "\r\n").encode()


def plain(
    *,
    sender: str = "张三 <zhang@example.com>",
    subject: str = "空调不制冷",
    body: str = "您好，我家的空调不制冷了。",
    message_id: str | None = "<m1@example.com>",
    charset: str = "utf-8",
    codec: str | None = None,
    extra: dict[str, str] | None = None,
) -> bytes:
    head = {
        "From": sender,
        "To": "service@maker.example",
        "Subject": ew(subject, "utf-8", "utf-8") if not subject.isascii() else subject,
        "Date": "Wed, 02 Dec 2026 10:00:00 +0800",
        **({"Message-ID": message_id} if message_id else {}),
        **(extra or {}),
        "MIME-Version": "1.0",
        "Content-Type": f"text/plain; charset={charset}",
        "Content-Transfer-Encoding": "8bit",
    }
    return headers(**head) + b"\r\n" + body.encode(codec or charset) + b"\r\n"


def gbk_labelled_gb2312() -> bytes:
    """E05: GBK-only characters (喆, 堃, 镕) in a part labelled gb2312."""
    return (
        headers(
            From=f"{ew('张喆')} <zhe@example.com>",
            To="service@maker.example",
            Subject=ew("堃镕的热水器漏水"),
            Message_ID="<e05@example.com>",
            MIME_Version="1.0",
            Content_Type="text/plain; charset=gb2312",
            Content_Transfer_Encoding="8bit",
        )
        + b"\r\n"
        + "张喆：热水器漏水，型号 RS-50。".encode("gbk")
        + b"\r\n"
    )


def split_encoded_word() -> bytes:
    """E06: one character's two GBK bytes split across two encoded words; and a Q word."""
    data = "喆热水器".encode("gbk")
    first, second = _b64(data[:1]), _b64(data[1:])
    subject = f"=?gb2312?B?{first}?= =?gb2312?B?{second}?="
    name = "".join(f"={byte:02X}" for byte in "张喆".encode("gbk"))
    return plain(sender=f"=?GBK?Q?{name}?= <zhang2@example.com>", extra=None).replace(
        b"Subject: " + ew("空调不制冷", "utf-8", "utf-8").encode(),
        b"Subject: " + subject.encode(),
    )


def big5_hkscs() -> bytes:
    """E08: Big5 with HKSCS characters (嘅, 㗎)."""
    return plain(
        sender="陳大文 <chan@example.hk>",
        subject="冷氣機壞咗",
        body="部冷氣機壞咗㗎，唔該嚟睇下嘅。",
        message_id="<e08@example.hk>",
        charset="big5",
        codec="big5hkscs",
    )


def gbk_labelled_big5() -> bytes:
    """E08: GBK text labelled big5."""
    return plain(
        sender="王五 <wang@example.com>",
        body="镕喆堃的洗衣机不能脱水，请尽快处理。",
        message_id="<e08b@example.com>",
        charset="big5",
        codec="gbk",
    )


def raw_8bit() -> bytes:
    """E09: raw GBK bytes in Subject and in an attachment's filename (no RFC 2047)."""
    boundary = "b-e09"
    return (
        b"From: =?utf-8?B?" + _b64("李四".encode()).encode() + b"?= <li@example.com>\r\n"
        b"To: service@maker.example\r\n"
        b"Subject: " + "洗衣机报修".encode("gbk") + b"\r\n"
        b"Message-ID: <e09@example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="' + boundary.encode() + b'"\r\n\r\n'
        b"--" + boundary.encode() + b"\r\n"
        b"Content-Type: text/plain; charset=gbk\r\n\r\n" + "见附件照片。".encode("gbk") + b"\r\n"
        b"--" + boundary.encode() + b"\r\n"
        b"Content-Type: image/png\r\n"
        b'Content-Disposition: attachment; filename="' + "故障照片.png".encode("gbk") + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + _b64(PNG).encode() + b"\r\n"
        b"--" + boundary.encode() + b"--\r\n"
    )


def with_attachments(message_id: str = "<att@example.com>") -> bytes:
    """A photo (kept), an inline image (kept), and an executable (refused by the upload rules)."""
    boundary = "b-att"
    parts = [
        "Content-Type: text/html; charset=utf-8\r\n\r\n"
        '<p>照片见附件<img src="http://tracker.example/pixel.gif"></p>'
        "<script>alert(1)</script><p onclick='x()'>谢谢</p>",
        "Content-Type: image/png\r\nContent-Disposition: attachment; "
        f'filename="{ew("照片.png", "utf-8", "utf-8")}"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(PNG)}",
        "Content-Type: image/png\r\nContent-ID: <img1>\r\nContent-Disposition: inline\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(PNG)}",
        "Content-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename="setup.exe"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{_b64(b'MZ' + bytes(200))}",
    ]
    body = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts) + f"--{boundary}--\r\n"
    return (
        headers(
            From="Zhang San <zhang@example.com>",
            To="service@maker.example",
            Subject="Photos of the fault",
            Message_ID=message_id,
            MIME_Version="1.0",
            Content_Type=f'multipart/mixed; boundary="{boundary}"',
        )
        + b"\r\n"
        + body.encode()
    )


def nested(depth: int, message_id: str = "<nested@example.com>") -> bytes:
    """E11: multipart inside multipart, `depth` levels (the "MIME of death")."""
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth)
    )
    closing = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(depth)))
    return (
        headers(
            From="attacker@evil.example",
            Subject="nested",
            Message_ID=message_id,
            MIME_Version="1.0",
        )
        + (opening + "Content-Type: text/plain\r\n\r\nhi" + closing).encode()
    )


def many_parts(count: int) -> bytes:
    """E12: a flat multipart of `count` small parts."""
    part = "--m\r\nContent-Type: text/plain\r\n\r\nx\r\n"
    return (
        headers(
            From="bulk@evil.example",
            Subject="parts",
            Message_ID="<many@example.com>",
            MIME_Version="1.0",
            Content_Type='multipart/mixed; boundary="m"',
        )
        + b"\r\n"
        + (part * count + "--m--\r\n").encode()
    )


def malformed(kind: str) -> bytes:
    """E10: the broken shapes mail really comes in."""
    head = headers(
        From="Zhao <zhao@example.com>",
        Subject="broken",
        Message_ID=f"<broken-{kind}@example.com>",
        MIME_Version="1.0",
    )
    if kind == "no-closing-boundary":
        return head + (
            b'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\n'
            b"Content-Type: text/plain\r\n\r\nthe heater is broken\r\n"
        )
    if kind == "wrong-boundary":
        return head + (
            b'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--y\r\n'
            b"Content-Type: text/plain\r\n\r\nthe heater is broken\r\n--y--\r\n"
        )
    if kind == "truncated-base64":
        return (
            head
            + (
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + _b64("热水器坏了".encode())[:-3]
            ).encode()
        )
    if kind == "invalid-qp":
        return head + (
            b"Content-Type: text/plain; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: quoted-printable\r\n\r\nbroken =ZZ =E7=83 heater=\r\n"
        )
    if kind == "bare-lf-nul":
        return (
            head.replace(b"\r\n", b"\n")
            + b"Content-Type: text/plain\n\nthe heater\x00 is broken\x01\n"
        )
    if kind == "long-header":
        return head + b"X-Long: " + b"a" * 5000 + b"\r\n\r\nthe heater is broken\r\n"
    if kind == "bad-charset":
        return head + b'Content-Type: text/plain; charset="bogus-99"\r\n\r\n\xc8\xc8\r\n'
    raise ValueError(kind)


def dsn(original_id: str, *, recipient: str = "gone@example.com") -> bytes:
    """E16: a Postfix-style delivery status notification for one of our mails."""
    return (
        headers(
            From="MAILER-DAEMON@mx.example (Mail Delivery System)",
            To="service@maker.example",
            Subject="Undelivered Mail Returned to Sender",
            Message_ID="<dsn-1@mx.example>",
            Auto_Submitted="auto-replied",
            MIME_Version="1.0",
            Content_Type='multipart/report; report-type=delivery-status; boundary="r"',
        )
        + b"\r\n"
        + (
            "--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
            "--r\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example\r\n\r\n"
            f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
            "--r\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            f"From: service@localhost\r\nTo: {recipient}\r\nMessage-ID: {original_id}\r\n"
            "Subject: We received your request\r\n"
            "--r--\r\n"
        ).encode()
    )


def qq_bounce(original_id: str) -> bytes:
    """E16: a plain-text bounce from a Chinese provider's daemon, the original's headers
    quoted in the body."""
    return plain(
        sender="MAILER-DAEMON@qq.com",
        subject="退信",
        body=f"很抱歉您的邮件没有发送成功。\n\n原邮件信息：\nMessage-ID: {original_id}\n",
        message_id="<qq-bounce@qq.com>",
    )
