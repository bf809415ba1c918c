"""What to show of a reply: the new text, without the quoted history and the signature
(the original is kept). Line by line with plain string tests — no regular expressions that
could backtrack — over a bounded prefix, so any input takes linear time (RELIABILITY E23)."""

# Only this much of a body is examined; the whole text is kept on the message.
MAX_CHARS = 200_000
MAX_LINE = 2_000

_QUOTE_MARKERS = (
    "-----original message-----",
    "-----原始邮件-----",
    "------------------ 原始邮件 ------------------",
    "---- 回复的原邮件 ----",
    "-----邮件原件-----",
    "-----原始郵件-----",
    "________________________________",
)
_HEADER_STARTS = ("from:", "发件人:", "发件人：", "寄件者:", "寄件者：")
_SIGNATURE_LINES = {
    "--",
    "-- ",
    "发自我的iphone",
    "发自我的 iphone",
    "sent from my iphone",
    "sent from my ipad",
    "发自我的ipad",
    "从我的 iphone 发送",
}


def _starts_quote(line: str, seen_text: bool) -> bool:
    low = line.strip().lower()
    if any(low.startswith(marker) for marker in _QUOTE_MARKERS):
        return True
    # The lines mail clients put above a quote, in English and in Chinese.
    if low.startswith("on ") and low.endswith("wrote:"):
        return True
    if low.startswith("在") and low.endswith(("写道：", "写道:")):
        return True
    # An Outlook-style header block after some text of the reply.
    return seen_text and any(low.startswith(start) for start in _HEADER_STARTS)


def trim(text: str) -> str:
    """The reply's own words; the whole text when trimming would leave nothing."""
    kept: list[str] = []
    seen_text = False
    for raw_line in text[:MAX_CHARS].splitlines():
        line = raw_line[:MAX_LINE]
        stripped = line.strip()
        if stripped.lower() in _SIGNATURE_LINES or _starts_quote(line, seen_text):
            break
        if stripped.startswith(">"):
            continue
        kept.append(raw_line)
        seen_text = seen_text or bool(stripped)
    result = "\n".join(kept).strip()
    return result or text.strip()
