"""Tokens for full-text search in Chinese and English, the same on SQLite and PostgreSQL.

Chinese has no spaces between words, so text is indexed as overlapping character bigrams
plus single characters (as Lucene's CJK analyser does): any two-character word (制冷, 漏水)
and any fragment from the middle of a sentence is found without a dictionary. Latin words
and numbers are whole tokens, matched by prefix at query time. Pure functions.
"""

import unicodedata

MAX_QUERY_TOKENS = 16
MAX_TOKEN_LENGTH = 40


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3400 <= code <= 0x9FFF  # CJK unified ideographs and extension A
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= code <= 0x3FFFF  # extensions B and later
        or 0x3040 <= code <= 0x30FF  # kana
        or 0xAC00 <= code <= 0xD7AF  # hangul
    )


def _runs(text: str) -> list[tuple[str, str]]:
    """Split into ("cjk", run) and ("word", run) pieces; everything else separates."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    runs: list[tuple[str, str]] = []
    kind, current = "", []
    for char in text:
        if _is_cjk(char):
            this = "cjk"
        elif char.isalnum():
            this = "word"
        else:
            this = ""
        if this != kind and current:
            runs.append((kind, "".join(current)))
            current = []
        kind = this
        if this:
            current.append(char)
    if current and kind:
        runs.append((kind, "".join(current)))
    return runs


def index_tokens(text: str) -> list[str]:
    """Every token of `text` for the index (duplicates removed, order kept)."""
    seen: dict[str, None] = {}
    for kind, run in _runs(text):
        if kind == "cjk":
            for i, char in enumerate(run):
                seen[char] = None
                if i + 1 < len(run):
                    seen[run[i : i + 2]] = None
        else:
            word = run[:MAX_TOKEN_LENGTH]
            seen[word] = None
            if word.isdigit() and len(word) >= 7:
                # Agents look phones up by their last four digits.
                seen[word[-4:]] = None
    return list(seen)


def index_document(*texts: str) -> str:
    return " ".join(index_tokens(" ".join(t for t in texts if t)))


def query_terms(query: str) -> list[tuple[str, bool]]:
    """(token, is_prefix) pairs that must all match. A Chinese run of n ≥ 2 characters
    becomes its n−1 bigrams; one character stays itself; words match by prefix."""
    terms: dict[tuple[str, bool], None] = {}
    for kind, run in _runs(query):
        if kind == "cjk":
            if len(run) == 1:
                terms[(run, False)] = None
            for i in range(len(run) - 1):
                terms[(run[i : i + 2], False)] = None
        else:
            terms[(run[:MAX_TOKEN_LENGTH], True)] = None
    return list(terms)[:MAX_QUERY_TOKENS]
