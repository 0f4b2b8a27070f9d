"""The security administrator edits the platforms' addresses and keys here; a secret is
written, never shown back (the form's field is empty and keeps the stored one)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from zhujian.exchange.adapters import adapters
from zhujian.exchange.models import Credential


class CredentialForm(forms.ModelForm):
    target = forms.ChoiceField(label="上报平台", choices=())
    secret = forms.CharField(
        label="密钥",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="出于安全不回显；留空则保留原密钥",
    )

    class Meta:
        model = Credential
        fields = ["target", "key", "base_url", "appid", "secret", "user", "enabled", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = adapters.choices()

    def clean_secret(self) -> str:
        value = self.cleaned_data.get("secret") or ""
        if not value and self.instance.pk:
            return self.instance.secret
        return value


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialForm
    list_display = ["__str__", "base_url", "appid", "enabled", "updated_at"]
    list_filter = ["target", "enabled"]
    search_fields = ["key", "appid"]
