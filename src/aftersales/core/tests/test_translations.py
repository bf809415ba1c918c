"""The interface catalogues: complete, in step with each other and with their compiled .mo
files, and the pages speak the language the browser asks for."""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
TRANSLATED = ("zh_Hans", "zh_Hant")
ALL_LANGUAGES = (*TRANSLATED, "en")

# Characters that exist only in Simplified Chinese (the Traditional forms differ), taken
# from the words this product uses; none may appear in a Traditional Chinese text.
SIMPLIFIED_ONLY = set(
    "与两个为买产仅仓们优会体关养内册写决减凭则创删别办务动区单压厨发变号听启员响团图场"
    "处备复审对导将尝尽属帮库应开强当录态户执护报拨择换数无时显暂术机权条来标档检楼没点"
    "热状现电盖码种称筛签简类紧约级线经结给统维缩网联获装见规视计训记设识诉试话询该语误"
    "说请调负财责账货质购软载输达迁过运这进远选邮钟链销错门闭问间队阵随静页项须预频题驳"
)

PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdrfi]|%[sdrfi]|\{\w*\}|<[^>]+>")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header and obsolete (#~) entries left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal current
        if current is not None and (current.msgid or current.msgctxt is not None):
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if current is not None and current.msgstr:
                finish()
            current = current or Entry(line=number)
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}"
            text = ast.literal_eval(line)
        else:
            text = ast.literal_eval(rest)
            if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
                finish()
            current = current or Entry(line=number)
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match.group(1)))
            elif keyword in ("msgid", "msgid_plural", "msgctxt", "msgstr"):
                target = (keyword, 0 if keyword == "msgstr" else None)
            else:
                raise AssertionError(f"{path}:{number}: unexpected {keyword!r}")
            if target[0] == "msgstr":
                current.msgstr.setdefault(target[1], "")
            else:
                setattr(current, target[0], "")
        name, index = target
        if name == "msgstr":
            current.msgstr[index] += text
        else:
            setattr(current, name, getattr(current, name) + text)
    finish()
    return entries


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def catalogues() -> dict[str, list[Entry]]:
    return {language: read_po(po_path(language)) for language in ALL_LANGUAGES}


def test_the_reader_reads_what_makemessages_writes(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "Hello %(name)s"\nmsgstr "你好 %(name)s"\n\n'
        '#, fuzzy\nmsgctxt "menu"\nmsgid ""\n"Two "\n"lines\\n"\nmsgstr ""\n\n'
        'msgid "%(n)s file"\nmsgid_plural "%(n)s files"\nmsgstr[0] "%(n)s 个文件"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "没了"\n',
        encoding="utf-8",
    )
    hello, two, files = read_po(po)
    assert (hello.msgid, hello.msgstr, hello.flags) == (
        "Hello %(name)s",
        {0: "你好 %(name)s"},
        {"python-format"},
    )
    assert (two.msgctxt, two.msgid, two.msgstr, two.flags) == (
        "menu",
        "Two lines\n",
        {0: ""},
        {"fuzzy"},
    )
    assert (files.msgid_plural, files.msgstr) == ("%(n)s files", {0: "%(n)s 个文件"})


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_text_is_translated_and_none_is_fuzzy(catalogues, language):
    entries = catalogues[language]
    assert len(entries) > 100, "the catalogue looks empty"
    untranslated = [
        f"line {e.line}: {e.msgid!r}"
        for e in entries
        if not e.msgstr or any(not text for text in e.msgstr.values())
    ]
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{language}: untranslated:\n" + "\n".join(untranslated)
    assert not fuzzy, f"{language}: fuzzy:\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("language", TRANSLATED)
def test_chinese_has_one_plural_form(catalogues, language):
    header = po_path(language).read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in header
    assert "#, fuzzy" not in header, "a fuzzy header is left out of the compiled catalogue"
    plurals = [e for e in catalogues[language] if e.msgid_plural]
    assert all(set(e.msgstr) == {0} for e in plurals)


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_and_markup_are_kept(catalogues, language):
    broken = []
    for e in catalogues[language]:
        expected = set(PLACEHOLDER.findall(e.msgid + " " + (e.msgid_plural or "")))
        for text in e.msgstr.values():
            if set(PLACEHOLDER.findall(text)) != expected or text.endswith(
                "\n"
            ) != e.msgid.endswith("\n"):
                broken.append(f"line {e.line}: {e.msgid!r} -> {text!r}")
    assert not broken, f"{language}:\n" + "\n".join(broken)


def test_all_catalogues_hold_the_same_texts(catalogues):
    keys = {language: {e.key for e in entries} for language, entries in catalogues.items()}
    for language in ALL_LANGUAGES[1:]:
        missing = keys["zh_Hans"] - keys[language]
        extra = keys[language] - keys["zh_Hans"]
        assert not missing and not extra, (
            f"zh_Hans and {language} differ (run `make messages`): "
            f"only in zh_Hans {sorted(m[1] for m in missing)}, "
            f"only in {language} {sorted(x[1] for x in extra)}"
        )


def test_english_is_shown_as_written(catalogues):
    assert all(not any(e.msgstr.values()) for e in catalogues["en"])


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(catalogues, language):
    mo = po_path(language).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages`"
    with mo.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    stale = []
    for e in catalogues[language]:
        msgid = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if not any(e.msgstr.values()):
            continue
        if e.msgid_plural:
            found = {index: compiled._catalog.get((msgid, index)) for index in e.msgstr}
        else:
            found = {0: compiled._catalog.get(msgid)}
        if found != e.msgstr:
            stale.append(e.msgid)
    assert not stale, f"{mo} is older than the .po file (run `make messages`): {stale[:5]}"


def test_traditional_chinese_has_no_simplified_characters(catalogues):
    found = [
        f"line {e.line}: {text!r} ({''.join(sorted(set(text) & SIMPLIFIED_ONLY))})"
        for e in catalogues["zh_Hant"]
        for text in e.msgstr.values()
        if set(text) & SIMPLIFIED_ONLY
    ]
    assert not found, "\n".join(found)


@pytest.fixture
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


PAGES = {
    "/accounts/login/": {
        "zh-CN": (["员工登录", "用户名", "密码", "客户无需账号"], ["Staff sign in", "Password"]),
        "zh-TW": (
            ["員工登入", "使用者名稱", "密碼", "客戶無需帳號"],
            ["登录", "员工", "账号", "客户", "Staff sign in"],
        ),
        "en": (["Staff sign in", "Username", "Password"], ["员工登录", "員工登入"]),
    },
    "/portal/": {
        "zh-CN": (["我要报修", "查询进度", "请问有什么可以帮您"], ["Report a problem"]),
        "zh-TW": (
            ["我要報修", "查詢進度", "請問有什麼可以幫您"],
            ["报修", "查询", "进度", "服务单", "Report a problem"],
        ),
        "en": (["Report a problem", "Track a request", "How can we help?"], ["我要报修"]),
    },
}
HTML_LANG = {"zh-CN": "zh-hans", "zh-TW": "zh-hant", "en": "en"}


@pytest.mark.django_db
@pytest.mark.usefixtures("_clear_cache")
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("accept", ["zh-CN", "zh-TW", "en"])
def test_pages_speak_the_browser_language(path, accept):
    response = Client().get(path, HTTP_ACCEPT_LANGUAGE=f"{accept},en;q=0.5")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{HTML_LANG[accept]}">' in html
    present, absent = PAGES[path][accept]
    for text in present:
        assert text in html, f"{path} in {accept}: {text!r} missing"
    for text in absent:
        assert text not in html, f"{path} in {accept}: {text!r} should not be there"
    if accept == "zh-TW":
        # The language menu names 简体中文 in its own script on every page.
        stray = sorted(set(re.sub(r"<[^>]+>", " ", html)) & (SIMPLIFIED_ONLY - set("简体")))
        assert not stray, f"{path} in zh-TW shows Simplified characters: {''.join(stray)}"


@pytest.mark.django_db
@pytest.mark.usefixtures("_clear_cache")
def test_without_a_preference_the_interface_is_simplified_chinese():
    html = Client().get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "员工登录" in html
