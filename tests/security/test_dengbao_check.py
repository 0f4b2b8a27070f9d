"""`zhujian check --dengbao` with the production recipe's settings: every item is met and
names the setting that meets it; a development set-up names what it lacks."""

from __future__ import annotations

from tests.security.test_deploy import ROOT, readme_production_env, run_zhujian

# This checkout's code (the shared virtualenv's editable install may name another).
HERE = {"PYTHONPATH": str(ROOT / "src")}


def test_check_dengbao_with_the_production_settings(tmp_path):
    result = run_zhujian(
        {**readme_production_env(), **HERE}, "check", "--dengbao", tmp_path=tmp_path
    )
    out = result.stdout
    for line in (
        "[符合] L3-CES1-01 身份鉴别：口令定期更换、不得重复使用：ZHUJIAN_PASSWORD_MAX_AGE_DAYS=90",
        "[符合] L3-CES1-02 身份鉴别：登录连接超时自动退出：ZHUJIAN_IDLE_TIMEOUT_MINUTES=30",
        "[符合] L3-CES1-03 身份鉴别：远程管理防窃听（HTTPS）：ZHUJIAN_SECURE_SSL_REDIRECT=1",
        "[符合] GB/T 39786 重要数据存储机密性（SM4）：SM4-GCM，密钥来自 ZHUJIAN_DATA_KEY_FILE=",
    ):
        assert line in out, out
    for line in (
        "[符合] L3-CES1-04 身份鉴别：双因素认证：TOTP 动态口令（django-otp）",
        "ZHUJIAN_API_BASIC_AUTH=0（环境变量）",
        "[符合] L3-CES1-06 访问控制：默认账户：无使用示例密码的账号；ZHUJIAN_ALLOW_DEMO=0",
        "[符合] L3-CES1-07 访问控制：多余、过期账户：",
        "ZHUJIAN_INACTIVE_DAYS=90",
        "[符合] L3-CES1-08 访问控制：三员分立：",
        "[符合] L3-CES1-15 安全审计：审计进程保护：",
    ):
        assert line in out, out
    assert "不符合" not in out and "无法判断" not in out, out
    assert "全部符合" in out
    assert result.returncode == 0, result.stderr


def test_check_dengbao_names_what_a_development_setup_lacks(tmp_path):
    env = {"ZHUJIAN_DEBUG": "1", "ZHUJIAN_IDLE_TIMEOUT_MINUTES": "120", **HERE}
    out = run_zhujian(env, "check", "--dengbao", tmp_path=tmp_path).stdout
    assert (
        "[不符合] L3-CES1-02 身份鉴别：登录连接超时自动退出：ZHUJIAN_IDLE_TIMEOUT_MINUTES=120"
        in out
    )
    assert "[不符合] GB/T 39786 重要数据存储机密性（SM4）：正在使用公开的开发用数据加密密钥" in out
    # Basic auth allowed and demo accounts allowed by default in development
    assert "[不符合] L3-CES1-04 身份鉴别：双因素认证：" in out
    assert "ZHUJIAN_API_BASIC_AUTH=1（默认）" in out
    assert "[不符合] L3-CES1-06 访问控制：默认账户：" in out
