"""Evidence served by nginx (X-Accel-Redirect) behind gunicorn running the real WSGI app.

Everything is real: gunicorn with deploy/gunicorn.conf.py on a free port, a file SQLite
database, and nginx running deploy/nginx/parindex-locations.conf (the file installed in
production, with its /var/lib/parindex paths pointed at the test's folder) as this user on a
non-privileged port.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import pwd
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import free_port, stop, wait_until_answers

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
NGINX = Path("/usr/sbin/nginx")
VENV_BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    not NGINX.exists(), reason="nginx is not installed at /usr/sbin/nginx (apt install nginx-light)"
)


@dataclass(frozen=True)
class Site:
    nginx_port: int
    app_port: int
    seed: dict[str, str]
    media_root: Path

    def get(self, path: str, cookie: str | None = None, *, port: int | None = None):  # type: ignore[no-untyped-def]
        connection = http.client.HTTPConnection("127.0.0.1", port or self.nginx_port, timeout=10)
        headers = {"Host": "127.0.0.1"}
        if cookie:
            headers["Cookie"] = f"{self.seed['cookie_name']}={cookie}"
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response, body


def _app_environment(data_dir: Path, app_port: int) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PARINDEX_") and key != "DATABASE_URL"
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="parindex.site.settings",
        PARINDEX_DATA_DIR=str(data_dir),
        PARINDEX_SECRET_KEY="deploy-test-secret-key-not-used-anywhere-else-0123456789",
        PARINDEX_ALLOWED_HOSTS="127.0.0.1,localhost",
        PARINDEX_X_ACCEL_REDIRECT="/_protected/",
        PARINDEX_CLIENT_ADDRESS_HEADER="HTTP_X_REAL_IP",
        PARINDEX_WEB_BIND=f"127.0.0.1:{app_port}",
        PARINDEX_WEB_WORKERS="2",
        PYTHONPATH=str(REPO),
    )
    return environment


def nginx_config(folder: Path, data_dir: Path, app_port: int, nginx_port: int) -> Path:
    """The production locations file, paths and ports substituted, inside a minimal main
    configuration that a non-root user can run."""
    locations = (DEPLOY / "nginx" / "parindex-locations.conf").read_text(encoding="utf-8")
    assert "/var/lib/parindex/" in locations
    (folder / "parindex-locations.conf").write_text(
        locations.replace("/var/lib/parindex/", f"{data_dir}/"), encoding="utf-8"
    )
    temp = folder / "temp"
    temp.mkdir()
    config = folder / "nginx.conf"
    # nginx started by root hands its workers to "nobody", who cannot enter the test's folder
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    config.write_text(
        f"""
{user}
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    upstream parindex_app {{ server 127.0.0.1:{app_port}; }}
    server {{
        listen 127.0.0.1:{nginx_port};
        server_name 127.0.0.1;
        client_max_body_size 100m;
        include {folder}/parindex-locations.conf;
    }}
}}
""",
        encoding="utf-8",
    )
    return config


def _nginx_command(folder: Path, config: Path) -> list[str]:
    return [
        str(NGINX),
        "-p",
        str(folder),
        "-e",
        str(folder / "error.log"),
        "-c",
        str(config),
        "-g",
        f"daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log;",
    ]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("nginx")
    data_dir = folder / "data"
    app_port, nginx_port = free_port(), free_port()
    environment = _app_environment(data_dir, app_port)
    seeded = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "seed_site.py")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    gunicorn = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"), "parindex.site.wsgi"],
        env=environment,
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    config = nginx_config(folder, data_dir, app_port, nginx_port)
    tested = subprocess.run(
        [*_nginx_command(folder, config), "-t"], capture_output=True, text=True, check=False
    )
    assert tested.returncode == 0, tested.stderr
    nginx = subprocess.Popen(
        _nginx_command(folder, config), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_until_answers(f"http://127.0.0.1:{app_port}/healthz", gunicorn)
        wait_until_answers(f"http://127.0.0.1:{nginx_port}/healthz", nginx)
        yield Site(nginx_port, app_port, seed, data_dir / "media")
    finally:
        stop(nginx)
        stop(gunicorn)


def test_the_owner_gets_the_exact_bytes_from_nginx_as_an_attachment(site: Site):
    response, body = site.get(
        f"/cycles/evidence/{site.seed['evidence_id']}/", site.seed["owner_cookie"]
    )
    assert response.status == 200
    assert hashlib.sha256(body).hexdigest() == site.seed["sha256"]
    assert body == (site.media_root / site.seed["stored_name"]).read_bytes()
    assert response.getheader("Content-Type") == "application/pdf"
    quoted = quote("Biên bản kiểm tra công vụ.pdf", safe="")
    assert response.getheader("Content-Disposition") == (
        f"attachment; filename=\"Bien ban kiem tra cong vu.pdf\"; filename*=UTF-8''{quoted}"
    )
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Cache-Control") == "private, no-store"
    assert response.getheader("Content-Security-Policy") == "default-src 'none'; sandbox"
    assert response.getheader("X-Accel-Redirect") is None  # consumed by nginx


def test_the_app_itself_answers_with_an_empty_body_and_the_internal_location(site: Site):
    response, body = site.get(
        f"/cycles/evidence/{site.seed['evidence_id']}/",
        site.seed["owner_cookie"],
        port=site.app_port,
    )
    assert response.status == 200
    assert body == b""
    assert response.getheader("X-Accel-Redirect") == f"/_protected/{site.seed['stored_name']}"


def test_a_focal_point_of_another_unit_gets_404_through_nginx(site: Site):
    response, body = site.get(
        f"/cycles/evidence/{site.seed['evidence_id']}/", site.seed["other_cookie"]
    )
    assert response.status == 404
    assert b"%PDF" not in body


def test_nobody_signed_out_gets_the_file(site: Site):
    response, body = site.get(f"/cycles/evidence/{site.seed['evidence_id']}/")
    assert response.status == 302
    assert "/accounts/login/" in (response.getheader("Location") or "")
    assert b"%PDF" not in body


def test_the_protected_location_and_media_are_not_reachable_directly(site: Site):
    for path in (f"/_protected/{site.seed['stored_name']}", f"/media/{site.seed['stored_name']}"):
        response, body = site.get(path, site.seed["owner_cookie"])
        assert response.status == 404, path
        assert b"%PDF" not in body


def test_the_health_check_answers_through_nginx(site: Site):
    response, body = site.get("/healthz")
    assert response.status == 200
    assert json.loads(body) == {"status": "ok"}


def test_the_full_site_configuration_passes_nginx_t(tmp_path: Path):
    """deploy/nginx/parindex.conf as installed: TLS server, redirect, upstream, the locations
    snippet; only the certificate (self-signed here) and the include path are replaced."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: no certificate for the TLS server block")
    certificate, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=cchc.example.vn", "-keyout", str(key), "-out", str(certificate)],
        capture_output=True, check=True,
    )  # fmt: skip
    (tmp_path / "locations.conf").write_text(
        (DEPLOY / "nginx" / "parindex-locations.conf").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    site = (
        (DEPLOY / "nginx" / "parindex.conf")
        .read_text(encoding="utf-8")
        .replace("/etc/letsencrypt/live/cchc.example.vn/fullchain.pem", str(certificate))
        .replace("/etc/letsencrypt/live/cchc.example.vn/privkey.pem", str(key))
        .replace("/etc/nginx/snippets/parindex-locations.conf", str(tmp_path / "locations.conf"))
    )
    assert str(certificate) in site and str(tmp_path / "locations.conf") in site
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    config = tmp_path / "nginx.conf"
    config.write_text(
        f"events {{}}\nhttp {{ include /etc/nginx/mime.types; include {tmp_path}/site.conf; }}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [*_nginx_command(tmp_path, config), "-t"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
