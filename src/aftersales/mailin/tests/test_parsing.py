"""Structure, kinds of mail and sanitising (RELIABILITY E10–E12, E15, E16, E21). No database."""

import time

import pytest

from aftersales.mailin import parsing
from aftersales.mailin.tests import corpus


@pytest.mark.parametrize(
    "kind",
    [
        "no-closing-boundary",
        "wrong-boundary",
        "truncated-base64",
        "invalid-qp",
        "bare-lf-nul",
        "long-header",
        "bad-charset",
    ],
)
def test_malformed_mime_gives_best_effort_text_and_never_raises(kind):
    parsed = parsing.parse(corpus.malformed(kind))
    assert parsed.message_id == f"<broken-{kind}@example.com>"
    assert parsed.from_address == "zhao@example.com"
    assert "\x00" not in parsed.text and "\x01" not in parsed.text
    if kind in {"no-closing-boundary", "bare-lf-nul", "long-header"}:
        assert "the heater" in parsed.text
    if kind in {"no-closing-boundary", "wrong-boundary"}:
        assert any(flag.startswith("MIME defect") for flag in parsed.flags)
    if kind == "bad-charset":
        assert any("encoding uncertain" in flag for flag in parsed.flags)


def test_five_thousand_levels_of_nesting_are_poison_quickly():
    raw = corpus.nested(5000)
    started = time.process_time()
    with pytest.raises(parsing.Poison) as caught:
        parsing.parse(raw)
    assert time.process_time() - started < 2.0
    assert "MIME" in caught.value.reason or "multipart" in caught.value.reason


def test_nesting_just_past_the_depth_limit_is_poison(settings):
    settings.MAILIN_MAX_DEPTH = 5
    with pytest.raises(parsing.Poison, match="nested deeper than 5"):
        parsing.parse(corpus.nested(7))
    assert parsing.parse(corpus.nested(4)).text == "hi"


def test_twenty_thousand_parts_are_poison_within_the_time_budget():
    raw = corpus.many_parts(20_000)
    started = time.process_time()
    with pytest.raises(parsing.Poison, match="too many MIME parts"):
        parsing.parse(raw)
    assert time.process_time() - started < 2.0


def test_oversized_is_poison(settings):
    settings.MAILIN_MAX_BYTES = 1000
    with pytest.raises(parsing.Poison, match="larger than"):
        parsing.parse(corpus.plain(body="x" * 2000))


def test_missing_message_id_gets_one_from_the_hash():
    one = parsing.parse(corpus.plain(message_id=None))
    again = parsing.parse(corpus.plain(message_id=None))
    other = parsing.parse(corpus.plain(message_id=None, body="另一封"))
    assert one.synthetic_id and one.message_id == again.message_id != other.message_id
    assert one.message_id.endswith("@mailin.invalid>")


@pytest.mark.parametrize(
    "extra",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "list"},
        {"X-Auto-Response-Suppress": "All"},
        {"List-Id": "<news.example.com>"},
        {"Return-Path": "<>"},
    ],
)
def test_automatic_mail_is_recognised(extra):
    assert parsing.parse(corpus.plain(extra=extra)).auto


def test_mail_daemon_and_ordinary_mail():
    assert parsing.parse(corpus.plain(sender="MAILER-DAEMON@mx.example")).auto
    assert parsing.parse(corpus.plain(extra={"Auto-Submitted": "no"})).auto == ""
    assert parsing.parse(corpus.plain()).auto == ""


def test_delivery_report_names_the_bounced_message_and_reason():
    parsed = parsing.parse(corpus.dsn("<sr.SR-20261202-0001.abc.def@localhost>"))
    assert parsed.bounce is not None
    assert parsed.bounce.original_ids == ["<sr.SR-20261202-0001.abc.def@localhost>"]
    assert "550 5.1.1" in parsed.bounce.reason


def test_plain_text_bounce_from_a_daemon():
    parsed = parsing.parse(corpus.qq_bounce("<orig@localhost>"))
    assert parsed.bounce is not None
    assert parsed.bounce.original_ids == ["<orig@localhost>"]
    assert parsing.parse(corpus.plain()).bounce is None


def test_html_is_sanitised_and_remote_images_are_dropped():
    parsed = parsing.parse(corpus.with_attachments())
    assert "<script" not in parsed.html
    assert "onclick" not in parsed.html
    assert "<img" not in parsed.html and "tracker.example" not in parsed.html
    assert "照片见附件" in parsed.text and "谢谢" in parsed.text
    assert [a.filename for a in parsed.attachments] == ["照片.png", "attachment-2", "setup.exe"]
    assert parsed.attachments[1].inline


def test_control_headers_from_strangers_are_ignored_and_noted():
    parsed = parsing.parse(corpus.plain(extra={"X-Helpdesk-Priority": "urgent"}))
    assert any("X-Helpdesk-Priority ignored" in flag for flag in parsed.flags)


def test_thread_ids_from_in_reply_to_and_references():
    parsed = parsing.parse(
        corpus.plain(extra={"In-Reply-To": "<a@x>", "References": "<r1@x> <r2@x>"})
    )
    assert parsed.thread_ids == ["<a@x>", "<r1@x>", "<r2@x>"]
