"""Usernames: one canonical form, and only characters a person can read back unambiguously
(issue 10 item 4, docs/decisions/0047-usernames-and-passwords.md).

* ``normalize_username`` — NFKC (full-width ``ＬＯＮＧ`` → ``LONG``), then case-folded. Used on
  creation *and* on login, so ``LONGZHOU`` logs in as ``longzhou`` and cannot exist beside it.
* ``validate_username`` — refuses, with a Chinese message naming the field: invisible (format)
  characters such as zero-width spaces, bidirectional controls, control characters, whitespace,
  and any letter outside ASCII and Han. Allowing no other script at all is what rules out mixed-script
  look-alikes (Cyrillic ``а`` in ``xingtаng``) without a confusables table: the accounts of a Hebei
  organization department are pinyin, digits and, at most, Chinese names.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

MAX_LENGTH = 150  # the column (AbstractUser.username)

#: What a canonical username consists of: ASCII lowercase letters, digits, ``_ . -`` and Han
#: (CJK Unified Ideographs and Extension A, plus 〇).
ALLOWED = re.compile(r"[a-z0-9_.\-\u3400-\u4dbf\u4e00-\u9fff\u3007]+")
#: It starts with a letter, a digit or a Han character: ``_admin`` and ``.admin`` read like ``admin``.
FIRST = re.compile(r"[a-z0-9\u3400-\u4dbf\u4e00-\u9fff\u3007]")

#: Bidirectional controls (embeddings, overrides, isolates, marks): they reorder what is displayed.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

#: Script names (the first word of the Unicode character name) a person may type by mistake or an
#: attacker on purpose, in Chinese for the message.
SCRIPT_NAMES = {
    "CYRILLIC": "西里尔字母",
    "GREEK": "希腊字母",
    "ARMENIAN": "亚美尼亚字母",
    "HEBREW": "希伯来字母",
    "ARABIC": "阿拉伯字母",
    "LATIN": "非英文的拉丁字母",
    "HIRAGANA": "日文平假名",
    "KATAKANA": "日文片假名",
    "HANGUL": "韩文",
    "FULLWIDTH": "全角字符",
    "MATHEMATICAL": "数学字母符号",
}

ALLOWED_TEXT = "只能使用英文字母、数字、下划线（_）、点（.）、连字符（-）或汉字"


def normalize_username(raw: str) -> str:
    """The canonical form: NFKC, case-folded, outer whitespace removed. Never refuses."""
    return unicodedata.normalize("NFKC", raw or "").casefold().strip()


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    script = SCRIPT_NAMES.get(name.split(" ", 1)[0], "")
    return f"「{ch}」（{script}，U+{ord(ch):04X}）" if script else f"「{ch}」（U+{ord(ch):04X}）"


def validate_username(raw: str) -> str:
    """The canonical username, or ValidationError with a Chinese message saying what to change."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError("用户名不能为空，请填写。")
    # Checked on the raw text: NFKC would turn some of these (U+3000) into plain spaces and keep others.
    for ch in text:
        category = unicodedata.category(ch)
        if ch in BIDI_CONTROLS:
            raise ValidationError(
                f"用户名含有文字方向控制字符（U+{ord(ch):04X}），它会改变显示顺序，请删除后重新输入。"
            )
        if category == "Cc" and not ch.isspace():
            raise ValidationError(f"用户名含有控制字符（U+{ord(ch):04X}），请删除后重新输入。")
        if ch in "\t\n\r\x0b\x0c":
            raise ValidationError(f"用户名含有控制字符（U+{ord(ch):04X}，制表或换行），请删除后重新输入。")
        if category == "Cf":
            raise ValidationError(f"用户名含有不可见字符（如零宽空格，U+{ord(ch):04X}），请删除后重新输入。")
        if ch.isspace() or category in ("Zs", "Zl", "Zp"):
            raise ValidationError("用户名不能含有空格，请删除空格或改用下划线（_）。")
    username = normalize_username(text)
    for ch in username:
        if not ALLOWED.fullmatch(ch):
            raise ValidationError(f"用户名{ALLOWED_TEXT}；{_describe(ch)}不可使用，请改用英文字母。")
    if len(username) > MAX_LENGTH:
        raise ValidationError(f"用户名不能超过 {MAX_LENGTH} 个字符。")
    if not FIRST.match(username[0]):
        raise ValidationError("用户名应以英文字母、数字或汉字开头。")
    return username
