"""Chinese mail and hostile headers, decoded correctly or flagged, never crashing
(RELIABILITY E05–E09, E18, E23). No database. Time budgets are CPU time of this process, so a
busy machine does not fail them."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.mailin import decoding, parsing, trimming
from aftersales.mailin.tests import corpus

GBK_TEXT = st.text(
    alphabet=st.characters(codec="gbk", exclude_categories=("Cc", "Cs")), min_size=1, max_size=60
)


@settings(max_examples=150, deadline=None)
@given(GBK_TEXT)
def test_gbk_text_labelled_gb2312_decodes_without_replacement(text):
    decoded = decoding.decode_bytes(text.encode("gbk"), "gb2312")
    assert decoded.text == text
    assert not decoded.uncertain


def test_gbk_only_characters_in_a_gb2312_body_subject_and_name():
    parsed = parsing.parse(corpus.gbk_labelled_gb2312())
    assert parsed.from_name == "张喆"
    assert parsed.subject == "堃镕的热水器漏水"
    assert parsed.text == "张喆：热水器漏水，型号 RS-50。"
    assert "\ufffd" not in parsed.text
    assert not [f for f in parsed.flags if "uncertain" in f]


def test_a_character_split_across_two_encoded_words_is_joined():
    parsed = parsing.parse(corpus.split_encoded_word())
    assert parsed.subject == "喆热水器"
    assert parsed.from_name == "张喆"  # =?GBK?Q?…?=


@pytest.mark.parametrize(
    "label",
    ["x-gbk", "GB_2312-80", "cp936", '"GB2312 "', " gbk", "GBK", "gb18030", "CP936"],
)
def test_chinese_charset_aliases(label):
    decoded = decoding.decode_bytes("喆堃".encode("gbk"), label)
    assert decoded.text == "喆堃"
    assert not decoded.uncertain


@pytest.mark.parametrize("label", ["unknown-8bit", "bogus-99", "x-unknown", "\x00", "utf-99"])
def test_unknown_labels_fall_back_and_are_flagged(label):
    decoded = decoding.decode_bytes("热水器".encode("gbk"), label)
    assert decoded.text == "热水器"
    assert decoded.uncertain
    assert decoded.notes


def test_utf8_alias():
    assert decoding.decode_bytes("热水器".encode(), "utf8").text == "热水器"


def test_bytes_no_codec_fits_are_replaced_and_flagged():
    decoded = decoding.decode_bytes(b"\xff\xfe\xfd\x80\x81", "utf-8")
    assert decoded.uncertain
    assert isinstance(decoded.text, str)


def test_big5_with_hkscs_characters():
    parsed = parsing.parse(corpus.big5_hkscs())
    assert parsed.text == "部冷氣機壞咗㗎，唔該嚟睇下嘅。"
    assert not [f for f in parsed.flags if "uncertain" in f]


def test_gbk_mislabelled_as_big5_is_decoded_and_flagged():
    parsed = parsing.parse(corpus.gbk_labelled_big5())
    assert parsed.text == "镕喆堃的洗衣机不能脱水，请尽快处理。"
    assert [f for f in parsed.flags if f.startswith("text: encoding uncertain")]


def test_raw_8bit_subject_and_filename():
    parsed = parsing.parse(corpus.raw_8bit())
    assert parsed.subject == "洗衣机报修"
    assert parsed.text == "见附件照片。"
    [photo] = parsed.attachments
    assert photo.filename == "故障照片.png"
    assert photo.data == corpus.PNG
    assert any(flag.startswith("Subject: encoding uncertain") for flag in parsed.flags)


def test_from_is_the_addr_spec_never_the_display_name():
    who = decoding.sender("victim@corp.com <attacker@evil.com>")
    assert who.address == "attacker@evil.com"
    assert "display name looks like an address" in who.notes
    quoted = decoding.sender('"support@maker.cn" <attacker@evil.com>')
    assert quoted.address == "attacker@evil.com"
    assert quoted.name == "support@maker.cn"


def test_a_message_from_a_spoofed_display_name_is_flagged():
    parsed = parsing.parse(corpus.plain(sender="victim@corp.com <attacker@evil.com>"))
    assert parsed.from_address == "attacker@evil.com"
    assert "From: display name looks like an address" in parsed.flags


def test_reply_to_is_read_but_the_sender_is_from():
    parsed = parsing.parse(corpus.plain(extra={"Reply-To": "other@example.com"}))
    assert parsed.from_address == "zhang@example.com"
    assert parsed.reply_to == "other@example.com"


@pytest.mark.parametrize(
    "value", ["", "not an address", "<>", "a@", "@b", "x" * 5000, "<" * 3000 + "a@b.c"]
)
def test_bad_senders_give_no_address(value):
    assert decoding.sender(value).address in {"", "a@b.c"}


def test_trimming_keeps_the_reply_without_quotes_and_signature():
    text = (
        "好的，明天上午可以上门。\n\n--\n张三\n13800138000\n\n"
        "在 2026年12月1日 周二 10:00，客服 写道：\n> 请问什么时候方便？\n"
    )
    assert trimming.trim(text) == "好的，明天上午可以上门。"
    outlook = "Thanks, it works now.\n\nFrom: Service <service@maker.example>\nSent: …\n"
    assert trimming.trim(outlook) == "Thanks, it works now."
    qq = "收到\n------------------ 原始邮件 ------------------\n发件人: 客服\n"
    assert trimming.trim(qq) == "收到"
    assert trimming.trim("> only quoted\n> text") == "> only quoted\n> text"


@pytest.mark.parametrize(
    "text",
    [
        "http://" + "a" * 5_000_000,
        "a" * 2_000_000 + "@",
        ("<div>" * 100_000) + "x",
        "> " * 1_000_000,
        ("\n" * 500_000) + "x",
    ],
)
def test_pathological_bodies_are_trimmed_in_bounded_time(text):
    started = time.process_time()
    trimming.trim(text)
    parsing.text_from_html(text[:1_000_000])
    assert time.process_time() - started < 2.0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_reading_a_sender_never_raises(value):
    who = decoding.sender(value)
    assert who.address == "" or "@" in who.address


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=4000),
    st.sampled_from([b"", b"Content-Type: multipart/mixed; boundary=x\r\n"]),
)
def test_any_bytes_are_read_or_poison_never_a_crash(body, head):
    raw = b"From: a@example.com\r\n" + head + b"\r\n" + body
    try:
        parsed = parsing.parse(raw)
    except parsing.Poison:
        parsed = None
    assert parsed is None or "\x00" not in parsed.text
