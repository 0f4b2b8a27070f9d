"""统一社会信用代码 (GB 32100-2015): 18 characters with a check character."""

from __future__ import annotations

# The code's alphabet: digits and capitals without I, O, S, V, Z; a character's value is
# its index.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015, 5.3)."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_error(value: str) -> str | None:
    """Why ``value`` is not a valid 统一社会信用代码 (None when it is)."""
    code = (value or "").strip()
    if len(code) != 18:
        return f"统一社会信用代码应为18位（现为{len(code)}位）"
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return (
            f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用I、O、S、V、Z及小写字母）"
        )
    if not code[2:8].isdigit():
        return "统一社会信用代码第3—8位应为登记管理机关行政区划码（6位数字）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误（第18位应为{expected}），请核对"
    return None
