"""The deployment files: the nginx site passes `nginx -t`, its limits match the portal's, and
gunicorn takes its workers and timeout from the settings."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config import Config

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "gfp-portal.conf"
CHECK = ROOT / "deploy" / "check-nginx"

needs_nginx = pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists()
    and not os.environ.get("CI"), reason="nginx is not installed (CI installs it)")


def check_nginx(site):
    # The script and the file are the repository's own.
    return subprocess.run(["/bin/bash", str(CHECK), str(site)],  # noqa: S603
                          capture_output=True, text=True, timeout=60, check=False)


@needs_nginx
def test_the_nginx_site_is_valid():
    result = check_nginx(SITE)
    assert result.returncode == 0, result.stderr


@needs_nginx
def test_the_check_refuses_a_broken_site(tmp_path):
    broken = tmp_path / "broken.conf"
    broken.write_text(SITE.read_text().replace("client_max_body_size 64m;",
                                               "client_max_body_size 64 megabytes;"))
    result = check_nginx(broken)
    assert result.returncode != 0
    assert "client_max_body_size" in result.stderr


def test_nginx_accepts_the_bodies_the_portal_accepts():
    size = re.search(r"client_max_body_size (\d+)m;", SITE.read_text()).group(1)
    assert int(size) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH


def test_nginx_lets_a_probe_reach_the_health_check_over_plain_http():
    plain = SITE.read_text().split("listen 443")[0]
    assert "location = /healthz" in plain and "proxy_pass http://gfp_portal;" in plain


def gunicorn_settings(**env):
    result = subprocess.run(  # noqa: S603 — the virtualenv's own gunicorn
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
         "--print-config", "wsgi:app"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
        env={**os.environ, "GFP_CONFIG": "testing", **env})
    return dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.M))


def test_gunicorn_takes_workers_threads_and_timeout_from_the_settings():
    settings = gunicorn_settings(GUNICORN_WORKERS="5", GUNICORN_THREADS="3",
                                 GUNICORN_TIMEOUT="45", GUNICORN_BIND="127.0.0.1:8123")
    assert (settings["workers"], settings["threads"], settings["timeout"]) == ("5", "3", "45")
    assert settings["bind"] == "['127.0.0.1:8123']"
    assert "x-request-id" in settings["access_log_format"]
    # Two instances on one machine would otherwise fight over one control socket.
    assert settings["control_socket_disable"] == "True"


def test_gunicorn_writes_json_lines_unless_told_text():
    assert "JsonFormatter" in gunicorn_settings(LOG_FORMAT="json")["logconfig_dict"]
    assert gunicorn_settings(LOG_FORMAT="text")["logconfig_dict"] == "{}"


UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def verify_units(tmp_path, units):
    """`systemd-analyze verify` on the units, with /srv/gfp-portal pointing at this checkout
    (so that the programs they start exist); it exits 0 even on errors, and says them."""
    names = []
    for unit in units:
        name = unit.name.replace("@.service", "@8000.service")
        (tmp_path / name).write_text(unit.read_text().replace("/srv/gfp-portal", str(ROOT)))
        names.append(name)
    result = subprocess.run(["systemd-analyze", "verify", *names],  # noqa: S603, S607
                            cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            check=False)
    return (result.stdout + result.stderr).strip()


needs_systemd = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                   reason="systemd-analyze is not installed")


@needs_systemd
def test_the_systemd_units_are_valid(tmp_path):
    assert {u.name for u in UNITS} == {"gfp-web@.service", "gfp-mail.service",
                                       "gfp-worker.service", "gfp-scheduler.service"}
    assert verify_units(tmp_path, UNITS) == ""


@needs_systemd
def test_the_unit_check_sees_a_mistake(tmp_path):
    broken = tmp_path / "src" / "gfp-mail.service"
    broken.parent.mkdir()
    broken.write_text(UNITS[0].read_text().replace("Restart=", "Restrat="))
    assert "Restrat" in verify_units(tmp_path, [broken])


def test_nginx_logs_no_token_of_an_access_link(app):
    """DESIGN §7: no log keeps a secret that grants access. The access log writes the path
    with every access link's token replaced, as the portal's own logs do: each token route of
    the portal is covered."""
    site = SITE.read_text()
    log_format = re.search(r"log_format gfp_portal(.*?);", site, re.S).group(1)
    assert not re.search(r"\$(request|request_uri|uri)\b", log_format)
    assert "$gfp_logged_uri" in log_format
    pattern, replacement = re.search(
        r'map \$request_uri \$gfp_logged_uri \{.*?"~(.*?)" "(.*?)";', site, re.S).groups()
    pattern = re.compile(pattern.replace("(?<", "(?P<"))
    for rule in app.url_map.iter_rules():
        if "token" not in rule.arguments:
            continue
        path = rule.rule.replace("<token>", "s3cr3t-T0ken_x") + "?lang=fr"
        match = pattern.match(path)
        assert match, rule.rule
        logged = re.sub(r"\$\{(\w+)\}", lambda name, found=match: found.group(name.group(1)),
                        replacement)
        assert "s3cr3t" not in logged and logged.startswith(rule.rule.split("<token>")[0])
        assert logged.endswith("?lang=fr")
