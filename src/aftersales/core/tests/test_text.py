import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.text import (
    normalise_display_name,
    normalise_email,
    normalise_phone,
    validate_clean_text,
)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\..\\win.ini",
        "/etc/passwd",
        "a.jpg\x00.php",
        "\u202egpj.exe",
        "a\r\nb.png",
        'x";y.png',
        "." * 5,
        "a" * 300 + ".png",
        "photo." + "x" * 10000,
    ],
)
def test_display_names_are_made_safe(name):
    safe = normalise_display_name(name)
    assert safe
    assert (
        "/" not in safe
        and "\\" not in safe
        and "\x00" not in safe
        and "\r" not in safe
        and "\n" not in safe
    )
    assert "\u202e" not in safe
    assert len(safe) <= 120


@given(st.text(max_size=500))
@settings(max_examples=300)
def test_any_name_becomes_a_short_printable_name(name):
    safe = normalise_display_name(name)
    assert 0 < len(safe) <= 120
    assert all(unicodedata.category(c) not in {"Cc", "Cf", "Cs"} for c in safe)
    assert "/" not in safe


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "\ud800", "\u202eevil", "esc\x1b[31m"])
def test_unstorable_text_is_refused(text):
    with pytest.raises(ValidationError):
        validate_clean_text(text)


@pytest.mark.parametrize("text", ["第一行\n第二行\t缩进", "emoji 😀", "Müller", "ＳＲ－２０２６"])
def test_ordinary_text_passes(text):
    validate_clean_text(text)


def test_phone_and_email_keys():
    assert normalise_phone("１３８ ００１３-８０００") == "13800138000"
    assert normalise_phone("+86 138 0013 8000") == "+8613800138000"
    assert normalise_email(" Zhang@Example.COM ") == "zhang@example.com"
