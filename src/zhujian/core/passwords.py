"""Password rules beyond Django's validators (see ``AUTH_PASSWORD_VALIDATORS``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class LettersAndDigitsValidator:
    """A password must mix letters and digits (as government systems usually require)."""

    def validate(self, password: str, user: Any = None) -> None:
        has_letter = any(ch.isascii() and ch.isalpha() for ch in password)
        has_digit = any(ch.isdigit() for ch in password)
        if not (has_letter and has_digit):
            raise ValidationError("密码须同时包含英文字母和数字。", code="password_letters_digits")

    def get_help_text(self) -> str:
        return "密码须同时包含英文字母和数字。"
