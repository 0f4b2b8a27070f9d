"""The production recipe in ``deploy/``, run for real on this machine.

The shipped files are used as they are, with only what must differ here substituted:
the install paths (``/opt/zhujian/venv`` → this virtualenv), the ports (free ones), the
TLS certificate (a self-signed one made for the test) and the database (a scratch copy
of the demo county). Then: ``zhujian collectstatic``, ``zhujian worker`` and gunicorn as
``zhujian-web.service`` starts it, with the environment of ``zhujian.env.example``;
nginx with the shipped site in front; and ``/healthz``, a static file and an upload's
address are fetched through nginx over HTTPS. The systemd units must pass
``systemd-analyze verify``.
"""

from __future__ import annotations

import gzip
import json
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.ops.conftest import ROOT, Scratch

pytestmark = [pytest.mark.django_db, pytest.mark.system]

DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
HOST = "zhujian.example.gov.cn"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_file() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "zhujian.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def exec_start(unit: str) -> list[str]:
    text = (DEPLOY / "systemd" / unit).read_text()
    line = re.search(r"^ExecStart=(.+)$", text, re.M).group(1)
    return [a.replace("/opt/zhujian/venv/bin/", f"{VENV_BIN}/") for a in shlex.split(line)]


def fetch(
    url: str, headers: dict[str, str] | None = None, data: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect())
    request = urllib.request.Request(url, data=data, headers={"Host": HOST, **(headers or {})})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def wait_until(probe, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = probe()
            if result:
                return result
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the server")
        time.sleep(0.3)


def nginx_site(tmp: Path, app_port: int, http_port: int, https_port: int) -> Path:
    """The shipped site with this machine's ports, a test certificate and log paths."""
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={HOST}",
            "-keyout",
            str(tmp / "key.pem"),
            "-out",
            str(tmp / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx" / "zhujian.conf").read_text()
    for old, new in {
        "127.0.0.1:8000": f"127.0.0.1:{app_port}",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/ssl/zhujian/fullchain.pem": str(tmp / "cert.pem"),
        "/etc/ssl/zhujian/privkey.pem": str(tmp / "key.pem"),
        "/var/log/nginx/": f"{tmp}/",
        "https://$host$request_uri": f"https://$host:{https_port}$request_uri",
    }.items():
        assert old in site, old
        site = site.replace(old, new)
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    (tmp / "zhujian.conf").write_text(site)
    main = tmp / "nginx.conf"
    main.write_text(
        f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp}/body;\n"
        f"  proxy_temp_path {tmp}/proxy;\n  include {tmp}/zhujian.conf;\n}}\n"
    )
    return main


def test_production_recipe_serves_healthz_and_static_files_through_nginx(
    scratch: Scratch, tmp_path: Path
) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is needed (apt-get install nginx; .ci/run does)"
    env = {**env_file(), "DATABASE_URL": scratch.url, "ZHUJIAN_VAR_DIR": str(scratch.var_dir)}
    env["ZHUJIAN_SECRET_KEY"] = "tests-" + "x" * 50
    key_file = tmp_path / "data.key"  # the recipe's SM4 data key file (core.crypto)
    key_file.write_text("k1:" + "33" * 32 + "\n")
    env["ZHUJIAN_DATA_KEY_FILE"] = str(key_file)
    scratch.run("collectstatic", "--noinput", **env)
    assert (scratch.var_dir / "static" / "vendor" / "htmx.min.js.gz").exists()
    upload = scratch.var_dir / "media" / "imports" / "2022" / "06" / "上报.xlsx"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"private")

    app_port, http_port, https_port = free_port(), free_port(), free_port()
    scratch.start(*exec_start("zhujian-worker.service")[1:], **env)
    web = exec_start("zhujian-web.service")
    web[web.index("--bind") + 1] = f"127.0.0.1:{app_port}"
    log = open(tmp_path / "gunicorn.log", "w")
    gunicorn = subprocess.Popen(
        web, env={**scratch.env, **env}, cwd=scratch.var_dir, stdout=log, stderr=log
    )
    scratch.procs.append(gunicorn)
    conf = nginx_site(tmp_path, app_port, http_port, https_port)
    checked = subprocess.run([nginx, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proxy = subprocess.Popen([nginx, "-c", str(conf), "-g", "daemon off;"])
    scratch.procs.append(proxy)
    base = f"https://127.0.0.1:{https_port}"

    def healthy():
        status, _, body = fetch(f"{base}/healthz")
        return (status, body) if status == 200 else None

    try:
        _status, body = wait_until(healthy)
    except AssertionError:
        raise AssertionError(
            (tmp_path / "gunicorn.log").read_text() + fetch(f"{base}/healthz")[2].decode()
        ) from None
    assert b'"status": "ok"' in body
    static = fetch(f"{base}/static/vendor/htmx.min.js", {"Accept-Encoding": "gzip"})
    assert static[0] == 200 and static[1].get("Content-Encoding") == "gzip"
    packaged = ROOT / "src/zhujian/web/static/vendor/htmx.min.js"
    assert gzip.decompress(static[2]) == packaged.read_bytes()
    assert "max-age" in static[1].get("Cache-Control", "")
    media = fetch(f"{base}/media/imports/2022/06/%E4%B8%8A%E6%8A%A5.xlsx")
    assert media[0] == 404 and b"private" not in media[2]  # uploads only through the app
    login = fetch(f"{base}/accounts/login/")
    assert login[0] == 200 and "登录".encode() in login[2]
    # The public draw verification page: nginx limits POSTs per address (audit 2), and
    # refuses a body beyond the page's 8 MB before gunicorn reads it.
    verify = f"{base}/housing/draws/verify/"
    posts = [fetch(verify, data=b"seed=1")[0] for _ in range(12)]
    assert 429 in posts and posts[0] != 429, posts
    assert fetch(verify)[0] == 200  # reading the page is not limited
    assert fetch(verify, data=b"x" * (22 * 1024 * 1024))[0] == 413
    redirect = fetch(f"http://127.0.0.1:{http_port}/healthz")
    assert redirect[0] == 301 and redirect[1]["Location"].startswith("https://")
    gunicorn.terminate()
    assert gunicorn.wait(timeout=30) == 0


def test_systemd_units_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is needed (Debian's systemd package)"
    units = sorted((DEPLOY / "systemd").iterdir())
    assert {u.name for u in units} == {
        "zhujian-web.service",
        "zhujian-worker.service",
        "zhujian-backup.service",
        "zhujian-backup.timer",
        "zhujian-hj212.service",
        "zhujian-hj212-prune.service",
        "zhujian-hj212-prune.timer",
        "zhujian-wages-check.service",
        "zhujian-wages-check.timer",
        "zhujian-remind.service",
        "zhujian-remind.timer",
    }
    for unit in units:
        text = unit.read_text().replace("/opt/zhujian/venv/bin/", f"{VENV_BIN}/")
        text = re.sub(r"^(User|Group)=zhujian$", r"\1=root", text, flags=re.M)
        (tmp_path / unit.name).write_text(text)
    done = subprocess.run(
        [analyze, "verify", *(str(tmp_path / u.name) for u in units)],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if "zhujian" in line and "Documentation" not in line
    ]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr
    for name in ("zhujian-worker.service", "zhujian-hj212.service"):
        broken = tmp_path / name
        broken.write_text(broken.read_text().replace("ExecStart=", "ExecStart=/no/such/zhujian "))
        assert subprocess.run([analyze, "verify", str(broken)], capture_output=True).returncode != 0


def test_hj212_unit_receives_and_acknowledges_device_packets(scratch: Scratch) -> None:
    """``zhujian-hj212.service``'s command against the demo county: a simulated device's
    packets are acknowledged and stored; SIGTERM stops it cleanly."""
    port = free_port()
    env = {**env_file(), "DATABASE_URL": scratch.url, "ZHUJIAN_VAR_DIR": str(scratch.var_dir)}
    env.update(ZHUJIAN_HJ212_HOST="127.0.0.1", ZHUJIAN_HJ212_PORT=str(port))
    receiver = scratch.start(*exec_start("zhujian-hj212.service")[1:], **env)

    def listening() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True

    wait_until(listening)
    done = scratch.run(
        "hj212",
        "simulate",
        "--port",
        str(port),
        "--devices",
        "2",
        "--interval",
        "0.5",
        "--duration",
        "2",
        **env,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["counts"]["acked"] >= 2 and "ack_missing" not in result["counts"]
    receiver.send_signal(signal.SIGTERM)
    assert receiver.wait(timeout=30) == 0, scratch.log(receiver)
    assert "HJ 212 receiver stopped" in scratch.log(receiver)
