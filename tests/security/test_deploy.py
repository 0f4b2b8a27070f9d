"""Production settings (security audit, issue 9 item 11): `zhujian check --deploy` is clean
with the README's production environment, HTTPS/HSTS/proxy settings come from the
environment, and every page is sent with a Content-Security-Policy."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def readme_production_env() -> dict[str, str]:
    """The production settings the README's recipe installs: ``deploy/zhujian.env.example``
    (copied to /etc/zhujian/zhujian.env), with a real secret key in place of the example."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Production", 1)[1].split("\n## ", 1)[0]
    assert "deploy/zhujian.env.example" in section  # the recipe names the file read here
    env: dict[str, str] = {}
    for line in (ROOT / "deploy" / "zhujian.env.example").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            key, _, value = line.partition("=")
            env[key] = value
    env["ZHUJIAN_SECRET_KEY"] = secrets.token_urlsafe(50)
    env.pop("DATABASE_URL", None)  # check --deploy needs no database: the default file
    return env


def run_zhujian(env: dict[str, str], *args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        **env,
        "ZHUJIAN_VAR_DIR": str(tmp_path / "var"),  # not the README's /var/lib/zhujian
    }
    if "ZHUJIAN_DATA_KEY_FILE" in clean:  # the recipe's key file, made as README says
        key_file = tmp_path / "data.key"
        key_file.write_text("k1:" + secrets.token_hex(32) + "\n")
        clean["ZHUJIAN_DATA_KEY_FILE"] = str(key_file)
    return subprocess.run(
        [sys.executable, "-c", "from zhujian.cli import main; main()", *args],
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_readme_names_the_production_settings():
    env = readme_production_env()
    assert env["ZHUJIAN_DEBUG"] == "0"
    assert len(env["ZHUJIAN_SECRET_KEY"]) >= 50
    for key in ("ZHUJIAN_ALLOWED_HOSTS", "ZHUJIAN_SECURE_SSL_REDIRECT", "ZHUJIAN_HSTS_SECONDS"):
        assert env.get(key), key


def test_check_deploy_is_clean_with_the_readme_production_settings(tmp_path):
    result = run_zhujian(
        readme_production_env(), "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_the_https_settings(tmp_path):
    env = {
        k: v
        for k, v in readme_production_env().items()
        if not k.startswith(("ZHUJIAN_HSTS", "ZHUJIAN_SECURE_SSL"))
    }
    result = run_zhujian(env, "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "proxy": s.SECURE_PROXY_SSL_HEADER, "redirect": s.SECURE_SSL_REDIRECT,
    "hsts": s.SECURE_HSTS_SECONDS, "sub": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "preload": s.SECURE_HSTS_PRELOAD, "cookies": s.SESSION_COOKIE_SECURE,
    "csrf_cookie": s.CSRF_COOKIE_SECURE,
    "csp": bool(s.SECURE_CSP), "csp_report_only": bool(s.SECURE_CSP_REPORT_ONLY),
}))
"""


def settings_with(env: dict[str, str], tmp_path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "zhujian.settings",
            "ZHUJIAN_VAR_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_https_settings_come_from_the_environment(tmp_path):
    shown = settings_with(readme_production_env(), tmp_path)
    assert shown == {
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "redirect": True,
        "hsts": 31536000,
        "sub": True,
        "preload": True,
        "cookies": True,
        "csrf_cookie": True,
        "csp": True,
        "csp_report_only": False,
    }


def test_development_defaults_stay_plain_http(tmp_path):
    shown = settings_with({}, tmp_path)
    assert shown["proxy"] is None and not shown["redirect"] and shown["hsts"] == 0
    assert not shown["cookies"] and shown["csp"]


def test_csp_can_be_report_only(tmp_path):
    shown = settings_with({"ZHUJIAN_CSP_REPORT_ONLY": "1"}, tmp_path)
    assert (shown["csp"], shown["csp_report_only"]) == (False, True)


def test_a_bad_number_is_named(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "zhujian.settings",
            "ZHUJIAN_VAR_DIR": str(tmp_path),
            "ZHUJIAN_HSTS_SECONDS": "one year",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ZHUJIAN_HSTS_SECONDS must be a whole number" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/", "/figures/", "/api/docs/"])
def test_pages_carry_a_strict_content_security_policy(client, admin_user, url):
    client.force_login(admin_user)
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy + ";"
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe" not in policy


@pytest.mark.django_db
def test_no_page_template_has_inline_script_or_style():
    """What the policy forbids is not in any template of ours: no inline <script> (a JSON
    data block is fine), no style="", no on…= handlers."""
    templates = list((ROOT / "src" / "zhujian").rglob("templates/**/*.html"))
    assert templates
    bad = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)([^>]*)>", text):
            if "application/json" not in match[1]:
                bad.append((path.name, match[0]))
        bad += [(path.name, m) for m in re.findall(r"\sstyle=\"[^\"]*\"", text)]
        bad += [(path.name, m) for m in re.findall(r"\son[a-z]+=\"[^\"]*\"", text)]
        bad += [(path.name, m) for m in re.findall(r"hx-on|hx-vars|js:", text)]
    assert not bad
