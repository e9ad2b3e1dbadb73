"""The environment drives the one settings file (docs/decisions/0001)."""

import pytest
from django.conf import settings
from django.test import Client

NO_KEY = {"PARINDEX_SECRET_KEY": None}


def test_without_debug_there_is_no_default_secret_key(read_settings) -> None:
    values = read_settings(PARINDEX_DEBUG=None, **NO_KEY)

    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == ""


def test_a_web_server_without_a_secret_key_refuses_to_start(run_python) -> None:
    result = run_python("import parindex.site.wsgi", PARINDEX_DEBUG="0", **NO_KEY)

    assert result.returncode != 0
    assert "PARINDEX_SECRET_KEY must be set" in result.stderr


def test_debug_provides_a_development_secret_key(read_settings) -> None:
    values = read_settings(PARINDEX_DEBUG="1", **NO_KEY)

    assert values["DEBUG"] is True
    assert values["SECRET_KEY"].startswith("django-insecure-")


def test_the_secret_key_comes_from_the_environment(read_settings) -> None:
    values = read_settings(PARINDEX_DEBUG="0", PARINDEX_SECRET_KEY="s3cr3t")

    assert values["SECRET_KEY"] == "s3cr3t"


def test_a_misspelt_boolean_is_refused_with_its_name(run_python) -> None:
    result = run_python("import parindex.site.settings", PARINDEX_DEBUG="maybe")

    assert result.returncode != 0
    assert "PARINDEX_DEBUG must be a boolean" in result.stderr


def test_allowed_hosts_come_from_the_environment(read_settings) -> None:
    values = read_settings(PARINDEX_ALLOWED_HOSTS="cchc.example.vn, .example.vn")

    assert values["ALLOWED_HOSTS"] == ["cchc.example.vn", ".example.vn"]


def test_database_url_selects_postgresql(read_settings) -> None:
    values = read_settings(DATABASE_URL="postgres://parindex:pw@db.example:5432/parindex")
    database = values["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "parindex"
    assert database["HOST"] == "db.example"
    assert database["CONN_HEALTH_CHECKS"] is True


def test_behind_a_transaction_pooler_there_are_no_server_side_cursors_nor_prepared_statements(
    read_settings,
) -> None:
    url = "postgres://parindex:pw@pgbouncer.example:6432/parindex"
    direct = read_settings(DATABASE_URL=url)["DATABASES"]["default"]
    pooled = read_settings(DATABASE_URL=url, PARINDEX_DB_POOLER="transaction")
    database = pooled["DATABASES"]["default"]

    assert direct["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert database["OPTIONS"]["prepare_threshold"] is None


def test_the_default_database_is_sqlite_in_the_data_dir(read_settings, tmp_path) -> None:
    data_dir = tmp_path / "elsewhere"

    values = read_settings(DATABASE_URL=None, PARINDEX_DATA_DIR=str(data_dir))
    database = values["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(data_dir / "parindex.sqlite3")
    assert values["MEDIA_ROOT"] == str(data_dir / "media")


def test_the_embedded_sqlite_database_runs_in_wal_mode(run_manage) -> None:
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA journal_mode')\n"
        "    print(cursor.fetchone()[0])\n"
    )

    result = run_manage("shell", "--verbosity", "0", "--command", code, DATABASE_URL=None)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"


def test_time_is_vietnamese_and_stored_aware() -> None:
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.USE_TZ is True


@pytest.mark.django_db
def test_pages_speak_vietnamese_unless_the_browser_asks_for_english(client: Client) -> None:
    assert client.get("/healthz")["Content-Language"] == "vi"
    assert client.get("/healthz", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"
    assert client.get("/healthz", HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"] == "vi"
