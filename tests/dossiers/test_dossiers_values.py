"""Status and online values as one-stop systems write them ("Đã có kết quả", "Có"), mapped to
FORMATS's through the web import: the default values with the default mapping, a saved
mapping's own values, and an unknown value refused with its line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.accounts.models import Role, User
from parindex.dossiers.models import ColumnMapping, DossierImport, DossierStat, StatKind
from parindex.dossiers.reading import DEFAULT_MAPPING
from parindex.formats.dossiers import DossierInputError, dossier_stats
from parindex.units.models import Authority
from tests.dossiers.conftest import AS_OF, member, vietnamese_csv

pytestmark = pytest.mark.django_db

# Each FORMATS value in several of the forms systems write, cycled through the rows: any case,
# decomposed accents (NFD), spaces around.
STATUS_FORMS = {
    "finished": ["Đã trả kết quả", "đã có kết quả", " HOÀN THÀNH ", "Đã có kết quả"],
    "pending": ["Đang xử lý", "Đang giải quyết", "Chưa có kết quả"],
    "withdrawn": ["Rút hồ sơ", "Đã rút"],
}
ONLINE_FORMS = {"1": ["Có", "x", "X"], "0": ["Không", ""]}


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def rewritten(data: bytes, status: Callable[[str, int], str], online: Callable[[str, int], str]):  # type: ignore[no-untyped-def]
    """The Vietnamese export with its status and online cells rewritten."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    header = rows[0]
    s, o = header.index(DEFAULT_MAPPING_INV["status"]), header.index(DEFAULT_MAPPING_INV["online"])
    for number, row in enumerate(rows[1:]):
        row[s], row[o] = status(row[s], number), online(row[o], number)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


DEFAULT_MAPPING_INV = {column: header for header, column in DEFAULT_MAPPING.items()}


def vietnamese_values(data: bytes) -> bytes:
    def status(value: str, n: int) -> str:
        forms = STATUS_FORMS[value]
        written = forms[n % len(forms)]
        return nfd(written) if n % 3 == 0 else written

    def online(value: str, n: int) -> str:
        forms = ONLINE_FORMS[value or "0"]
        return forms[n % len(forms)]

    return rewritten(data, status, online)


def client_of(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)
    return client


def post(client: Client, authority: Authority, data: bytes, mapping: str = "default"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/dossiers/{authority.code}/import/",
        {
            "file": SimpleUploadedFile("mot-cua-vn.csv", data, "text/csv"),
            "year": "2024",
            "mapping": mapping,
        },
    )


def figures(record: DossierImport) -> dict[str, tuple[int, ...]]:
    return {
        row.key: (
            row.received, row.finished, row.pending, row.withdrawn, row.early, row.on_time,
            row.late, row.overdue, row.online, row.late_noncompliant,
        )
        for row in DossierStat.objects.filter(dossier_import=record, kind=StatKind.UNIT)
    }  # fmt: skip


@pytest.fixture(autouse=True)
def as_of(monkeypatch: pytest.MonkeyPatch) -> None:
    """The web import's "now" is the day the example counts are taken."""
    monkeypatch.setattr("parindex.dossiers.services.vietnam_now", lambda: AS_OF)


def test_dossiers_vietnamese_statuses_give_the_counts_of_formats_values(authority: Authority):
    client = client_of(member(authority, Role.SECRETARIAT))
    data = vietnamese_values(vietnamese_csv())
    assert "finished" not in data.decode() and "Đã rút" in data.decode()
    answer = post(client, authority, data)
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    record = DossierImport.objects.get()
    # the same counts as the FORMATS values of the example (test_dossiers_import)
    assert (record.received, record.finished, record.pending, record.withdrawn) == (38, 30, 5, 3)
    assert (record.late, record.late_noncompliant) == (8, 7)
    assert figures(record)["SO_TP"] == (11, 8, 2, 1, 3, 3, 2, 1, 7, 2)
    assert record.values["status"]["Đã có kết quả"] == "finished"
    # and the same, figure by figure, as the file in FORMATS values
    english = post(client, authority, vietnamese_csv())
    assert english.status_code == 302
    plain = DossierImport.objects.exclude(pk=record.pk).get()
    assert figures(plain) == figures(record)


def test_dossiers_a_saved_mappings_values_are_used_and_unknown_values_refused(
    authority: Authority,
):
    client = client_of(member(authority, Role.SECRETARIAT))
    saved = ColumnMapping.objects.create(
        authority=authority,
        name="Phần mềm một cửa VNPT",
        columns=DEFAULT_MAPPING,
        values={"status": {"Xong": "finished", "Chờ": "pending", "Huỷ": "withdrawn"},
                "online": {"Mạng": "1"}},
    )  # fmt: skip
    codes = {"finished": "Xong", "pending": "Chờ", "withdrawn": "Huỷ"}
    data = rewritten(
        vietnamese_csv(), lambda s, n: codes[s], lambda o, n: "Mạng" if o == "1" else ""
    )
    assert post(client, authority, data, str(saved.pk)).status_code == 302
    record = DossierImport.objects.get()
    assert figures(record)["SO_TP"] == (11, 8, 2, 1, 3, 3, 2, 1, 7, 2)

    # the default values are not those of this system: "Đã có kết quả" is unknown to it
    other = vietnamese_values(vietnamese_csv()).replace(b"\n", b"\r\n")
    page = post(client, authority, other, str(saved.pk))
    text = page.content.decode()
    assert page.status_code == 200
    assert "không nhập gì" in text
    assert "trạng thái &#x27;Đã trả kết quả&#x27; không hợp lệ" in text
    assert '<td class="num">2</td>' in text  # the first row, on line 2
    assert DossierImport.objects.count() == 1


def test_dossiers_an_unknown_status_is_still_a_problem_of_its_line(authority: Authority):
    client = client_of(member(authority, Role.SECRETARIAT))
    data = vietnamese_values(vietnamese_csv())
    lines = data.decode().split("\n")
    cells = next(csv.reader([lines[4]]))
    cells[7] = "Đã huỷ"
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    lines[4] = out.getvalue()
    page = post(client, authority, "\n".join(lines).encode())
    text = page.content.decode()
    assert "trạng thái &#x27;Đã huỷ&#x27; không hợp lệ" in text
    assert '<td class="num">5</td>' in text
    assert DossierImport.objects.count() == 0


def test_dossiers_the_reader_maps_values_only_when_asked(tmp_path):  # type: ignore[no-untyped-def]
    """The CLI's reader (no `value_map`) keeps FORMATS's values exactly."""
    text = (
        "dossier_id,unit,procedure,official,received_at,due_at,finished_at,status,online,"
        "apology_at,new_due_at,reschedules\n"
        "A,U,P,o,2024-01-02,2024-01-05,2024-01-04T10:00,Đã có kết quả,Có,,,\n"
        "B,U,P,o,2024-01-02,2024-01-05,,Đang xử lý,Không,,,\n"
    )
    path = tmp_path / "d.csv"
    path.write_text(text, "utf-8")
    as_of = dt.datetime(2024, 7, 1)  # noqa: DTZ001
    with pytest.raises(DossierInputError) as refused:
        dossier_stats(path, by="unit", as_of=as_of)
    assert [p.line for p in refused.value.problems] == [2, 3]
    value_map = {"status": {"đã có KẾT QUẢ": "finished", "Đang xử lý": "pending"},
                 "online": {"có": "1", "không": "0"}}  # fmt: skip
    table = dossier_stats(path, by="unit", as_of=as_of, value_map=value_map)
    row = dict(zip(table.columns, table.rows[0], strict=True))
    assert (row["finished"], row["pending"], row["online"], row["overdue"]) == (1, 1, 1, 1)
