"""The site keeps answering while PostgreSQL drops its connections or restarts: requests in
flight are run again (parindex.core.db_recovery), a clean 503 when the database stays away,
never a 500, and no acknowledged save is lost. gunicorn on loopback, a database of its own.

Cutting every connection of the test's database (pg_terminate_backend) is what a restart does
to the requests in flight, without disturbing other databases on the cluster. The real cluster
restart runs when PARINDEX_TEST_PG_RESTART=1 (and in benchmarks/deadline_day.py).
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import httpx
import pytest
from concurrent_saves import LEAVES
from django.conf import settings
from live_site import Site, admin, serve, terminate_connections

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="PostgreSQL only (DATABASE_URL): SQLite does not restart under a running site",
    ),
]
DATABASE = "parindex_helper_load_live"
UNAVAILABLE_VI = "Hệ thống đang bảo trì"


def signed_in(site: Site) -> httpx.Client:
    client = httpx.Client(base_url=site.base, timeout=60.0)
    login = f"{site.base}/accounts/login/"
    client.get("/accounts/login/")
    answer = client.post(
        "/accounts/login/",
        data={
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
            "username": site.username,
            "password": site.password,
            "next": "/",
        },
        headers={"Referer": login},
    )
    assert answer.status_code == 302, (answer.status_code, answer.text[:500])
    return client


@dataclass
class Traffic:
    """What the clients were answered, and every save acknowledged to them."""

    statuses: Counter[int] = field(default_factory=Counter)
    acknowledged: dict[str, list[tuple[int, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    bodies_500: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # no answer at all (reset, timeout)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, response: httpx.Response) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500 and response.status_code != 503:
                self.bodies_500.append(response.text[:300])


def browse(
    client: httpx.Client, site: Site, traffic: Traffic, person: int, stop: threading.Event
) -> None:
    try:
        browse_as(client, site, traffic, person, stop)
    except Exception as error:  # shown by the test, which then fails
        traffic.failures.append(repr(error))
    finally:
        client.close()


def browse_as(
    client: httpx.Client, site: Site, traffic: Traffic, person: int, stop: threading.Event
) -> None:
    """One person: opens the sheet, saves a leaf with the version last seen, again and again."""
    rng = random.Random(person)
    sheet = f"/cycles/sheets/{site.sheet_id}/"
    seen = dict.fromkeys(LEAVES, 0)
    n = 0
    while not stop.is_set():
        n += 1
        if rng.random() < 0.3:
            traffic.answered(client.get(sheet))
            continue
        code = LEAVES[(person + n) % len(LEAVES)]
        value = f"{person * 1000 + n}/100000"
        response = client.post(
            f"{sheet}entries/{code}/",
            data={"value": value, "note": "", "version": str(seen[code])},
            headers={"Accept": "application/json", "X-CSRFToken": client.cookies["csrftoken"]},
        )
        traffic.answered(response)
        if response.status_code == 200:
            seen[code] = response.json()["version"]
            with traffic.lock:
                traffic.acknowledged[code].append((seen[code], value))
        elif response.status_code == 409:
            seen[code] = response.json()["conflict"]["version"]


def run_traffic(site: Site, seconds: float, disturb: threading.Thread, people: int = 6) -> Traffic:
    traffic = Traffic()
    stop = threading.Event()
    clients = [signed_in(site) for _ in range(people)]  # before the clock starts
    threads = [
        threading.Thread(target=browse, args=(client, site, traffic, p, stop))
        for p, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    disturb.start()
    time.sleep(seconds)
    disturb.join()
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return traffic


def no_acknowledged_save_lost(site: Site, traffic: Traffic) -> list[str]:
    """Every acknowledged value is in the leaf's history at the version it was acknowledged
    with; the stored version counts the history; the stored value is the last one."""
    problems = []
    for code in LEAVES:
        history = [
            new
            for (new,) in _query(
                site,
                "SELECT c.new FROM assessments_change c WHERE c.assessment_id = %s "
                "AND c.code = %s AND c.kind = 'value' ORDER BY c.id",
                site.sheet_id,
                code,
            )
        ]
        stored = _query(
            site,
            "SELECT version, value FROM assessments_leafentry WHERE assessment_id = %s "
            "AND code = %s",
            site.sheet_id,
            code,
        )
        version, value = stored[0] if stored else (0, "")
        for acked_version, acked_value in traffic.acknowledged[code]:
            if acked_version > len(history) or history[acked_version - 1] != acked_value:
                problems.append(f"{code}: acknowledged {acked_value!r} as version {acked_version}")
        if version != len(history) or (history and value != history[-1]):
            problems.append(f"{code}: stored version {version} {value!r}, history {len(history)}")
    return problems


def _query(site: Site, sql: str, *params: object) -> list[tuple[object, ...]]:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{site.database}") as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def test_requests_in_flight_when_connections_are_cut_are_run_again_and_lose_nothing() -> None:
    with serve(DATABASE) as site:
        cuts: list[int] = []

        def cut_again_and_again() -> None:
            for _ in range(5):  # a restart cuts once; five, apart enough for a retry to finish
                time.sleep(2.0)
                cuts.append(terminate_connections(site.database))

        traffic = run_traffic(site, 11.0, threading.Thread(target=cut_again_and_again))
        problems = no_acknowledged_save_lost(site, traffic)
        log = site.log_text()
    retried = log.count("request run again")
    ambiguous = log.count("after this request committed") + log.count("at COMMIT")
    print(
        f"\n{sum(traffic.statuses.values())} requests, statuses {dict(traffic.statuses)}, "
        f"{sum(cuts)} connections cut in {len(cuts)} rounds, {retried} requests run again, "
        f"{ambiguous} lost after or at their COMMIT (503), "
        f"{sum(len(a) for a in traffic.acknowledged.values())} saves acknowledged"
    )
    assert traffic.failures == []
    assert traffic.bodies_500 == []
    assert set(traffic.statuses) <= {200, 409, 503}, traffic.statuses
    assert traffic.statuses[503] == ambiguous  # only what committed, or may have
    assert traffic.statuses[200] >= 20
    assert sum(cuts) >= 5
    assert retried >= 1, "no request was in flight when its connection was cut"
    assert problems == []


def test_a_database_away_longer_than_the_wait_answers_a_clean_503_then_recovers() -> None:
    with serve(DATABASE) as site:
        client = signed_in(site)
        sheet = f"/cycles/sheets/{site.sheet_id}/"
        assert client.get(sheet).status_code == 200
        admin(f'ALTER DATABASE "{site.database}" ALLOW_CONNECTIONS false')
        terminate_connections(site.database)
        started = time.monotonic()
        page = client.get(sheet)
        waited = time.monotonic() - started
        save = client.post(
            f"{sheet}entries/1.1/",
            data={"value": "1/2", "note": "", "version": "0"},
            headers={"Accept": "application/json", "X-CSRFToken": client.cookies["csrftoken"]},
        )
        admin(f'ALTER DATABASE "{site.database}" ALLOW_CONNECTIONS true')
        after = client.get(sheet)
        log = site.log_text()
    print(f"\n503 after {waited:.1f} s of waiting for the database")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    assert UNAVAILABLE_VI in page.text
    assert "The service is restarting" in page.text
    assert "Traceback" not in page.text and "OperationalError" not in page.text
    assert 14.0 <= waited <= 30.0
    assert save.status_code == 503
    assert save.json() == {
        "ok": False,
        "errors": [
            "Hệ thống đang bảo trì, vui lòng thử lại sau ít phút / "
            "The service is restarting, please try again in a minute"
        ],
    }
    assert after.status_code == 200  # the database is back: no restart of the site needed
    assert "database still unavailable, answered 503: GET /cycles/sheets/" in log


@pytest.mark.skipif(
    os.environ.get("PARINDEX_TEST_PG_RESTART") != "1",
    reason="restarts the whole PostgreSQL cluster: opt in with PARINDEX_TEST_PG_RESTART=1",
)
def test_a_real_postgresql_restart_under_traffic_answers_no_500() -> None:
    cluster = re.sub(r"\s+", "", os.listdir("/etc/postgresql")[0])
    with serve(DATABASE) as site:

        def restart() -> None:
            time.sleep(3)
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
                check=True, timeout=120,
            )  # fmt: skip

        traffic = run_traffic(site, 12.0, threading.Thread(target=restart))
        problems = no_acknowledged_save_lost(site, traffic)
        log = site.log_text()
    print(f"\nstatuses {dict(traffic.statuses)}, {log.count('request run again')} run again")
    assert traffic.failures == []
    assert traffic.bodies_500 == []
    assert set(traffic.statuses) <= {200, 409, 503}
    assert traffic.statuses[503] == (
        log.count("after this request committed") + log.count("at COMMIT")
    )
    assert problems == []
