"""Login with the second factor, its enrolment, recovery codes and the API tokens page
(等保 2.0 L3-CES1-04; mechanisms in ``core.twofactor`` and ``core.apitokens``).

The password step does not open a session for a user asked for a code: it keeps the user's
id in the anonymous session for :data:`PENDING_SECONDS`, and only a right code (or a
recovery code) signs in. A user who must use the second factor and has none enrols first.
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhujian.core import apitokens, audit, twofactor
from zhujian.core.models import ApiToken, User

PENDING = "zhujian_otp_pending"
RECOVERY_SHOWN = "zhujian_recovery_codes"
PENDING_SECONDS = 300


class ZhujianLoginView(LoginView):
    """Django's login, then the second factor for those asked for it."""

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not settings.ZHUJIAN_ALLOW_DEMO:
            from zhujian.core.checks import DEMO_PASSWORD

            if form.cleaned_data.get("password") == DEMO_PASSWORD:
                audit.record(
                    audit.Kind.LOGIN_FAILED,
                    "生产环境拒绝使用公开示例密码的账号登录",
                    username=user.get_username(),
                    request=self.request,
                    outcome=False,
                )
                text = "该账号仍使用公开的示例密码，生产环境不允许登录，请联系系统管理员"
                form.add_error(None, text)
                context = self.get_context_data(form=form, demo_refused=text)
                return self.render_to_response(context)
        if not twofactor.asked(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "uid": user.pk,
            "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
            "next": self.get_redirect_url(),
            "at": time.time(),
        }
        if twofactor.confirmed_device(user) is None:
            return redirect("otp_enrol")
        return redirect("otp_verify")


def _pending_user(request: HttpRequest) -> User | None:
    data = request.session.get(PENDING)
    if not data or time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return User.objects.filter(pk=data["uid"], is_active=True).first()


def _finish_login(request: HttpRequest, user: User, how: str) -> HttpResponse:
    data = request.session.pop(PENDING)
    login(request, user, backend=data["backend"])
    device = twofactor.confirmed_device(user)
    if device is not None:
        from django_otp import login as otp_login

        otp_login(request, device)
    if how == "recovery":
        left = twofactor.recovery_left(user)
        audit.record(
            audit.Kind.LOGIN, f"使用恢复码登录（剩余 {left} 个）", user=user, request=request
        )
        messages.warning(
            request, f"您使用了一个恢复码，还剩 {left} 个；用完前请在“账号安全”页重新生成。"
        )
    target = data.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = settings.LOGIN_REDIRECT_URL
    if request.session.get(RECOVERY_SHOWN):
        request.session["zhujian_after_recovery"] = target
        return redirect("otp_recovery")
    return HttpResponseRedirect(target)


class CodeForm(forms.Form):
    code = forms.CharField(label="动态口令或恢复码", max_length=40)


def otp_verify(request: HttpRequest) -> HttpResponse:
    """The login's second step: a TOTP code, or a one-time recovery code."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, "请重新输入用户名和密码。")
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        how = twofactor.verify(user, form.cleaned_data["code"])
        if how is not None:
            return _finish_login(request, user, how)
        audit.record(
            audit.Kind.LOGIN_FAILED,
            "动态口令或恢复码不正确",
            username=user.get_username(),
            request=request,
            outcome=False,
        )
        form.add_error(
            "code", "动态口令或恢复码不正确（动态口令每 30 秒更新，请输入当前的 6 位数字）"
        )
    return render(request, "web/otp_verify.html", {"form": form, "pending_user": user})


def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator app: the QR code, then the first code confirms it. Reached at
    login by a user who must use the second factor and has none, or from 账号安全."""
    user = request.user if request.user.is_authenticated else _pending_user(request)
    if user is None:
        return redirect("login")
    if not request.user.is_authenticated and twofactor.confirmed_device(user) is not None:
        return redirect("otp_verify")  # a bound factor is proved, not replaced, at login
    device = twofactor.pending_device(user)
    form = CodeForm(request.POST or None)
    form.fields["code"].label = "应用显示的 6 位动态口令"
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm(user, form.cleaned_data["code"])
        if codes is not None:
            request.session[RECOVERY_SHOWN] = codes
            if not request.user.is_authenticated:
                return _finish_login(request, user, "totp")
            return redirect("otp_recovery")
        form.add_error("code", "动态口令不正确：请核对手机时间，并输入应用当前显示的 6 位数字")
    context = {
        "form": form,
        "qr_svg": twofactor.qr_svg(device),
        "key_text": twofactor.key_text(device),
        "required": twofactor.required(user),
        "pending_user": user,
    }
    return render(request, "web/otp_enrol.html", context)


@login_required
def otp_recovery(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once (the database keeps only their hashes)."""
    codes = request.session.pop(RECOVERY_SHOWN, None)
    target = request.session.pop("zhujian_after_recovery", None) or "account_security"
    if not codes:
        messages.info(request, "恢复码只显示一次；如已遗失，请在此页重新生成。")
        return redirect("account_security")
    return render(request, "web/otp_recovery.html", {"codes": codes, "target": target})


@login_required
@require_POST
def otp_new_recovery(request: HttpRequest) -> HttpResponse:
    if twofactor.confirmed_device(request.user) is None:
        messages.error(request, "尚未绑定动态口令，无法生成恢复码")
        return redirect("account_security")
    request.session[RECOVERY_SHOWN] = twofactor.make_recovery_codes(request.user)
    audit.record(audit.Kind.USER, "重新生成了恢复码", user=request.user, request=request)
    return redirect("otp_recovery")


class TokenForm(forms.Form):
    name = forms.CharField(label="客户端名称", max_length=100)
    days = forms.IntegerField(label="有效天数", min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.most = apitokens.MAX_DAYS.get()
        self.fields["days"].initial = min(90, self.most)
        self.fields["days"].help_text = f"最长 {self.most} 天"

    def clean_days(self) -> int:
        days = self.cleaned_data["days"]
        if days > self.most:
            raise forms.ValidationError(f"有效天数不能超过 {self.most} 天（填写的是 {days} 天）")
        return days


@login_required
def account_security(request: HttpRequest) -> HttpResponse:
    """账号安全: the second factor and the user's own API tokens."""
    user = request.user
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        token, new_token = apitokens.issue(
            user, form.cleaned_data["name"], form.cleaned_data["days"], request=request
        )
        messages.success(
            request, f"已创建接口令牌“{token.name}”：令牌只显示这一次，请立即复制保存。"
        )
        form = TokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": ApiToken.objects.filter(user=user).order_by("-created_at")[:50],
        "device": twofactor.confirmed_device(user),
        "required": twofactor.required(user),
        "recovery_left": twofactor.recovery_left(user),
    }
    return render(request, "web/account_security.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        messages.error(request, "没有这个接口令牌，或它不属于您")
    else:
        apitokens.revoke(token, by=request.user, request=request)
        messages.success(request, f"已吊销接口令牌“{token.name}”")
    return redirect("account_security")
