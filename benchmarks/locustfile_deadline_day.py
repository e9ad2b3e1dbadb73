"""The virtual users of benchmarks/deadline_day.py (run by it: ``locust -f`` this file).

Each user signs in as one unit account (its focal point or its head: two users per unit) and,
with a pause of `PARINDEX_LOAD_THINK` seconds between actions, opens its sheet, a leaf's
history and the published results; on a sheet still open it autosaves leaves (with the version
it last saw, exactly as static/assessments/sheet.js does) and now and then uploads a 1–5 MB PDF;
like the page, it sends a save or upload again after a 503 or a lost connection. Every request
is timed, and every save or upload the server acknowledged is written down, so that the
orchestrator can find each one in the database afterwards.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sheet_load import _form_data, parse_forms

PLAN = json.loads(Path(os.environ["PARINDEX_LOAD_PLAN"]).read_text())
OUT = Path(os.environ["PARINDEX_LOAD_OUT"])
THINK = float(os.environ.get("PARINDEX_LOAD_THINK", "5"))
ACCOUNTS = itertools.cycle(PLAN["accounts"])
TIMINGS: list[tuple[float, str, float, int, str]] = []  # when, name, ms, status, error
ACKNOWLEDGED: list[dict[str, Any]] = []
SPAWNED: list[float] = []  # when the last user had started: the measured phase begins
RESENT: list[dict[str, Any]] = []  # a save or upload sent again after a 503 or no answer
RESENDS = 8  # as static/assessments/sheet.js


@events.spawning_complete.add_listener
def _spawned(**_: Any) -> None:
    SPAWNED.append(time.time())


@events.request.add_listener
def _timed(
    request_type: str, name: str, response_time: float, response: Any, exception: Any, **_: Any
) -> None:
    status = getattr(response, "status_code", 0) or 0
    TIMINGS.append((time.time(), name, response_time, status, repr(exception) if exception else ""))


@events.test_stop.add_listener
def _written(**_: Any) -> None:
    spawned = SPAWNED[0] if SPAWNED else 0.0
    result = {"timings": TIMINGS, "acknowledged": ACKNOWLEDGED, "spawned_at": spawned}
    OUT.write_text(json.dumps({**result, "resent": RESENT}))


def pdf_of(size: int, rng: random.Random) -> bytes:
    """A PDF of about `size` bytes whose stream is random (so every upload is a new document)."""
    tail = b"\nendstream\nendobj\ntrailer\n<< >>\n%%EOF\n"
    body = rng.randbytes(max(0, size - 64))
    head = b"%PDF-1.4\n1 0 obj\n<< /Length " + str(len(body)).encode() + b" >>\nstream\n"
    return head + body + tail


class UnitAccount(HttpUser):
    wait_time = between(0.4 * THINK, 1.6 * THINK)

    def on_start(self) -> None:
        self.account = next(ACCOUNTS)
        self.rng = random.Random(self.account["username"])
        self.sheet = f"/cycles/sheets/{self.account['sheet_id']}/"
        self.client.get("/accounts/login/", name="login")
        self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
                "username": self.account["username"],
                "password": PLAN["password"],
                "next": self.sheet,
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
        )
        self.forms: dict[str, dict[str, Any]] = {}
        self.versions: dict[str, int] = {}
        self.open_sheet()

    # ---------------------------------------------------------------- reads

    @task(3)
    def open_sheet(self) -> None:
        with self.client.get(self.sheet, name="page: sheet", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}")
                return
            if self.account["editable"]:
                forms = parse_forms(answer.text)
                if not forms:
                    answer.failure("the open sheet shows no editable leaf")
                    return
                self.forms = forms
                self.versions = {code: form["version"] for code, form in forms.items()}

    @task(2)
    def leaf_history(self) -> None:
        code = self.rng.choice(self.account["codes"])
        self.client.get(f"{self.sheet}entries/{code}/history/", name="page: history")

    @task(1)
    def results(self) -> None:
        self.client.get(self.rng.choice(PLAN["results"]), name="page: results")

    # ---------------------------------------------------------------- writes

    @task(6)
    def autosave(self) -> None:
        if not self.forms:
            return self.open_sheet()
        code = self.rng.choice(sorted(self.forms))
        data = _form_data(self.forms[code], self.rng, self.versions[code])
        data["note"] = f"lt-{uuid.uuid4().hex}"  # every save changes the leaf; found later
        answer = self._post(self.forms[code]["action"], "save", data=data)
        if answer is None:
            return
        if answer.status_code == 200 and answer.json().get("ok"):
            version = answer.json()["version"]
            self.versions[code] = version
            ACKNOWLEDGED.append(
                {"kind": "save", "sheet": self.account["sheet_id"], "code": code,
                 "note": data["note"], "version": version}
            )  # fmt: skip
        elif answer.status_code == 409:  # the other account of the unit saved it first
            self.versions[code] = answer.json()["conflict"]["version"]

    @task(1)
    def upload(self) -> None:
        if not self.forms or self.rng.random() > 0.3:
            return
        code = self.rng.choice(sorted(self.forms))
        content = pdf_of(self.rng.randint(1, 5) * 1024 * 1024, self.rng)
        name = f"kiem-chung-{uuid.uuid4().hex[:8]}.pdf"
        answer = self._post(
            f"{self.sheet}evidence/", "upload", data={"code": code},
            files={"files": (name, content, "application/pdf")},
        )  # fmt: skip
        if answer is not None and answer.status_code == 200 and answer.json().get("ok"):
            ACKNOWLEDGED.append(
                {"kind": "upload", "sheet": self.account["sheet_id"], "code": code,
                 "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
            )  # fmt: skip

    def _post(self, url: str, name: str, **body: Any) -> Any:
        """POST as sheet.js does: after a 503 or a lost connection the same request is sent
        again 2, 4, 8… s later (at most 8 times); the answer that ends it, or None if none did.

        A 503 that is sent again is not an error the person sees (the page says "trying
        again"); it is counted apart (its status stays in the timings)."""
        resent = {"at": time.time(), "name": name, "final": 0}
        for attempt in range(RESENDS + 1):
            with self.client.post(
                url, headers=self._json_headers(), name=name, catch_response=True, **body
            ) as answer:
                status = answer.status_code
                resent["final"] = status  # how the last sending ended
                if status in (0, 503) and attempt < RESENDS:
                    answer.success()
                    if not attempt:
                        RESENT.append(resent)
                elif status == 200 or (name == "save" and status == 409):
                    answer.success()
                    return answer
                else:
                    answer.failure(f"HTTP {status}")
                    return None
            time.sleep(min(30.0, 2.0 ** (attempt + 1)))
        return None

    def _json_headers(self) -> dict[str, str]:
        return {
            "Accept": "application/json",
            "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
            "Referer": f"{self.host}{self.sheet}",
        }
