"""The column-mapping editor: list, create, edit, delete; every problem said in Vietnamese
(English with an English browser); learning the headers from a sample; only the secretariat
and the system admin of the authority, 404 for everyone else."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.accounts.models import Role, User
from parindex.dossiers.models import ColumnMapping
from parindex.dossiers.reading import DEFAULT_MAPPING, DEFAULT_VALUES
from parindex.formats.dossiers import COLUMNS
from parindex.units.models import Authority
from tests.dossiers.conftest import member, vietnamese_csv, xlsx_of

pytestmark = pytest.mark.django_db

HEADERS = {
    "dossier_id": "Số hồ sơ",
    "unit": "Cơ quan",
    "procedure": "Mã TTHC",
    "official": "Người xử lý",
    "received_at": "Ngày nhận",
    "due_at": "Hạn trả",
    "finished_at": "Ngày trả",
    "status": "Tình trạng",
    "online": "Nộp trực tuyến",
    "apology_at": "Ngày gửi thư xin lỗi",
    "new_due_at": "Hạn mới",
    "reschedules": "Số lần gia hạn",
}


def client_of(user: User, lang: str = "vi") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def form_data(**changes: str) -> dict[str, Any]:
    data: dict[str, Any] = {f"col_{column}": header for column, header in HEADERS.items()}
    data |= {
        "name": "iGate Sơn La",
        "status_values": "Đã trả kết quả = finished\nĐang xử lý = pending\nĐã rút = withdrawn",
        "online_values": "Có = 1\nKhông = 0",
        "save": "1",
    }
    return data | changes


@pytest.fixture
def secretariat(authority: Authority) -> Client:
    return client_of(member(authority, Role.SECRETARIAT))


def test_dossiers_a_new_mapping_starts_from_the_default_headers_and_values(
    authority: Authority, secretariat: Client
):
    page = secretariat.get(f"/dossiers/{authority.code}/mappings/new/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Cách đặt tên cột mới" in text
    assert 'value="Mã hồ sơ"' in text and 'value="Ngày hẹn trả"' in text
    assert "Đã có kết quả = finished" in text and "Có = 1" in text


def test_dossiers_the_secretariat_creates_edits_and_deletes_a_mapping(
    authority: Authority, secretariat: Client
):
    answer = secretariat.post(f"/dossiers/{authority.code}/mappings/new/", form_data())
    assert answer.status_code == 302
    assert answer["Location"] == f"/dossiers/{authority.code}/mappings/"
    saved = ColumnMapping.objects.get()
    assert saved.columns == {header: column for column, header in HEADERS.items()}
    assert saved.values == {
        "status": {"Đã trả kết quả": "finished", "Đang xử lý": "pending", "Đã rút": "withdrawn"},
        "online": {"Có": "1", "Không": "0"},
    }
    listing = secretariat.get(f"/dossiers/{authority.code}/mappings/").content.decode()
    assert "iGate Sơn La" in listing and "Cách đặt tên cột" in listing

    edit = secretariat.get(f"/dossiers/mappings/{saved.pk}/").content.decode()
    assert 'value="Số hồ sơ"' in edit and "Đang xử lý = pending" in edit
    changed = form_data(col_unit="Đơn vị tiếp nhận", online_values="")
    assert secretariat.post(f"/dossiers/mappings/{saved.pk}/", changed).status_code == 302
    saved.refresh_from_db()
    assert saved.columns["Đơn vị tiếp nhận"] == "unit" and "Cơ quan" not in saved.columns
    assert "online" not in saved.values

    # the import form offers it
    assert "iGate Sơn La" in secretariat.get(f"/dossiers/{authority.code}/import/").content.decode()
    assert secretariat.post(f"/dossiers/mappings/{saved.pk}/delete/").status_code == 302
    assert not ColumnMapping.objects.exists()


def test_dossiers_the_editor_says_every_problem_in_vietnamese(
    authority: Authority, secretariat: Client
):
    ColumnMapping.objects.create(authority=authority, name="Cũ", columns=DEFAULT_MAPPING)
    data = form_data(
        name=" cũ ",
        col_official="",
        col_due_at="cơ quan",  # the header of `unit`, in another case
        status_values="Đã trả kết quả = finished\nXong = done\nkhông có dấu bằng\n"
        "đã trả kết quả = pending",
        online_values="Có = yes",
    )
    page = secretariat.post(f"/dossiers/{authority.code}/mappings/new/", data)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Cách đặt tên cột có lỗi; chưa lưu gì." in text
    assert "Đơn vị đã có một cách đặt tên cột cùng tên." in text
    assert "Hãy ghi tiêu đề mà phần mềm dùng cho cột official" in text
    assert "Tiêu đề “cơ quan” đã được dùng cho cột unit." in text
    assert "Dòng 2: “done” không phải là một trong finished, pending, withdrawn." in text
    assert "Dòng 3 “không có dấu bằng”: hãy viết theo dạng" in text
    assert "Dòng 4: “đã trả kết quả” được ghi hai lần với hai giá trị khác nhau." in text
    assert "Dòng 1: “yes” không phải là một trong 1, 0." in text
    assert ColumnMapping.objects.count() == 1


def test_dossiers_the_editor_speaks_english_to_an_english_browser(authority: Authority):
    client = client_of(member(authority, Role.SECRETARIAT), "en")
    data = form_data(col_official="", status_values="Xong = done")
    text = client.post(f"/dossiers/{authority.code}/mappings/new/", data).content.decode()
    assert "The mapping has problems; nothing was saved." in text
    assert "Write the header the system uses for the column official" in text
    assert "Line 1: “done” is not one of finished, pending, withdrawn." in text


@pytest.mark.parametrize("workbook", [False, True])
def test_dossiers_headers_are_learnt_from_a_sample_export(
    authority: Authority, secretariat: Client, workbook: bool
):
    header = "Mã hồ sơ,ĐƠN VỊ,Mã thủ tục,official,Ngày tiếp nhận,Hạn xử lý\n"
    data = (header + "HS-1,SO_TP,1.001,cb,2024-01-02,2024-01-05\n").encode()
    name = "mau.xlsx" if workbook else "mau.csv"
    sample = SimpleUploadedFile(name, xlsx_of(data) if workbook else data)
    posted = form_data(col_dossier_id="", col_unit="", col_official="", learn="1", sample=sample)
    del posted["save"]
    page = secretariat.post(f"/dossiers/{authority.code}/mappings/new/", posted)
    text = page.content.decode()
    assert page.status_code == 200
    assert "4 tiêu đề của tệp mẫu được nhận ra" in text
    assert 'value="Mã hồ sơ"' in text and 'value="ĐƠN VỊ"' in text and 'value="official"' in text
    assert "<code>Hạn xử lý</code>" in text  # the headers it did not know are shown
    assert 'value="Mã TTHC"' in text  # what was typed stays
    assert "Hãy ghi tiêu đề" not in text  # learning is not saving: no errors yet
    assert not ColumnMapping.objects.exists()


def test_dossiers_a_mapping_from_the_editor_imports_a_file(
    authority: Authority, secretariat: Client
):
    assert secretariat.post(f"/dossiers/{authority.code}/mappings/new/", form_data()).status_code
    saved = ColumnMapping.objects.get()
    data = vietnamese_csv()
    head, _, body = data.decode().partition("\n")
    head = ",".join(HEADERS[DEFAULT_MAPPING[cell]] for cell in head.split(","))
    body = body.replace(",finished,", ",Đã trả kết quả,").replace(",pending,", ",Đang xử lý,")
    body = body.replace(",withdrawn,", ",Đã rút,")
    answer = secretariat.post(
        f"/dossiers/{authority.code}/import/",
        {
            "file": SimpleUploadedFile("igate.csv", (head + "\n" + body).encode()),
            "year": "2024",
            "mapping": str(saved.pk),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[-1500:]


@pytest.mark.parametrize(
    "role", [Role.COUNCIL_CHAIR, Role.LEADER, Role.FOCAL_POINT, Role.APPRAISER, None]
)
def test_dossiers_only_the_authoritys_managers_reach_the_mappings(
    authority: Authority, other_authority: Authority, role: Role | None
):
    saved = ColumnMapping.objects.create(
        authority=authority, name="Riêng", columns=DEFAULT_MAPPING, values=DEFAULT_VALUES
    )
    if role is None:  # the secretariat of another authority
        user = member(other_authority, Role.SECRETARIAT)
    else:
        user = member(authority, role, "SO_TP" if role == Role.FOCAL_POINT else None)
    client = client_of(user)
    for url in (
        f"/dossiers/{authority.code}/mappings/",
        f"/dossiers/{authority.code}/mappings/new/",
        f"/dossiers/mappings/{saved.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/dossiers/mappings/{saved.pk}/", form_data()).status_code == 404
    assert client.post(f"/dossiers/mappings/{saved.pk}/delete/").status_code == 404
    assert client.post(f"/dossiers/{authority.code}/mappings/new/", form_data()).status_code == 404
    saved.refresh_from_db()
    assert saved.name == "Riêng" and ColumnMapping.objects.count() == 1


def test_dossiers_the_system_admin_manages_the_mappings(authority: Authority):
    client = client_of(member(authority, Role.SYSTEM_ADMIN))
    assert client.get(f"/dossiers/{authority.code}/mappings/").status_code == 200
    assert client.post(f"/dossiers/{authority.code}/mappings/new/", form_data()).status_code == 302


def test_dossiers_every_formats_column_has_a_row_in_the_editor(
    authority: Authority, secretariat: Client
):
    text = secretariat.get(f"/dossiers/{authority.code}/mappings/new/").content.decode()
    for column in COLUMNS:
        assert f'name="col_{column}"' in text
