"""Makes the CJK font that repair-record PDFs embed; run by a developer, never at run time.

The source is Source Han Sans SC Regular (思源黑体) 2.001 by Adobe, under the SIL Open Font
License 1.1, as published in the npm package `node-source-han-sans-sc` 1.1.0-2.001R
(integrity sha512-ICZda+imcAzqrV7OTD+f8yr59oTlHHp22yTyyhhiaivWbi0fvHXJOUxEyQ3l4JuzjksXYijY6busNrRky+GLFw==):

    npm pack node-source-han-sans-sc@1.1.0-2.001R
    tar xzf node-source-han-sans-sc-1.1.0-2.001R.tgz package/SourceHanSansSC-Regular.otf
    .venv/bin/python scripts/make_pdf_font.py package/SourceHanSansSC-Regular.otf

The full font is 17 MB; the subset keeps what a repair record needs (about 5 MB): Latin
text, punctuation and common symbols, the whole CJK Unified Ideographs block (simplified
and traditional Chinese, including the rarer characters of people's and places' names),
CJK and full-width punctuation, and every character of the interface's translations.

The licence reserves the name "Source" for the original: a subset is a modified version,
so it is renamed "Aftersales Sans CJK" (copyright and licence records are kept).
"""

import argparse
import re
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src/aftersales/core/fonts/AftersalesSansCJK-Regular.otf"
LOCALE = ROOT / "src/aftersales/locale"

FAMILY = "Aftersales Sans CJK"
POSTSCRIPT = "AftersalesSansCJK-Regular"

RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x017F),  # Latin-1 and Latin Extended-A (names, ¥, ×, °)
    (0x2000, 0x206F),  # general punctuation (— … “ ” ‰)
    (0x20A0, 0x20BF),  # currency signs
    (0x2100, 0x218F),  # letterlike symbols and number forms (℃ № Ⅰ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators (≤ ≥ ±)
    (0x2460, 0x24FF),  # enclosed numbers (①)
    (0x25A0, 0x25FF),  # geometric shapes (□ stands in for a character the font lacks)
    (0x2600, 0x26FF),  # miscellaneous symbols (★)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3200, 0x33FF),  # enclosed CJK and CJK compatibility (㎡)
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]
_MSGSTR = re.compile(r'^msgstr(?:\[\d+\])? "(.*)"$|^"(.*)"$')


def translation_characters() -> set[int]:
    """Every character of the Chinese translations, so no label of ours goes missing."""
    found: set[int] = set()
    for po in LOCALE.glob("zh_*/LC_MESSAGES/*.po"):
        in_msgstr = False
        for line in po.read_text(encoding="utf-8").splitlines():
            if line.startswith("msgstr"):
                in_msgstr = True
            elif line.startswith("msgid") or not line.startswith('"'):
                in_msgstr = False
            match = _MSGSTR.match(line)
            if in_msgstr and match:
                found.update(ord(c) for c in (match.group(1) or match.group(2) or ""))
    return {c for c in found if c >= 0x20}


def rename(font: TTFont) -> None:
    names = font["name"]
    for record in list(names.names):
        if record.nameID in {1, 3, 4, 6, 16, 17, 21, 22}:
            names.removeNames(nameID=record.nameID)
    for name_id, value in {
        1: FAMILY,
        2: "Regular",
        3: f"{POSTSCRIPT};subset for Aftersales repair records",
        4: f"{FAMILY} Regular",
        6: POSTSCRIPT,
    }.items():
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    cff = font["CFF "].cff
    old_name = cff.fontNames[0]
    cff.fontNames = [POSTSCRIPT]
    top = cff[POSTSCRIPT] if POSTSCRIPT in cff else cff.topDictIndex[0]
    for attribute in ("FullName", "FamilyName"):
        if hasattr(top, attribute):
            setattr(top, attribute, FAMILY)
    for fd in getattr(top, "FDArray", []) or []:
        if hasattr(fd, "FontName"):
            fd.FontName = fd.FontName.replace(old_name, POSTSCRIPT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="SourceHanSansSC-Regular.otf")
    parser.add_argument("--output", type=Path, default=TARGET)
    args = parser.parse_args()
    unicodes = {c for low, high in RANGES for c in range(low, high + 1)}
    unicodes |= translation_characters()
    options = subset.Options()
    options.layout_features = []  # PDFs are set character by character: no shaping needed
    options.hinting = False  # printed and viewed at high resolution
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["GSUB", "GPOS", "VORG", "vhea", "vmtx", "DSIG"]
    font = TTFont(args.source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    rename(font)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    font.save(args.output)
    covered = len(font.getBestCmap())
    print(f"{args.output}: {args.output.stat().st_size:,} bytes, {covered:,} characters")


if __name__ == "__main__":
    main()
