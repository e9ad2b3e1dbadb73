"""The external index pages: the table of years × indices in Vietnamese, entering and
correcting a value with its history, importing with problems by line, and a 404 for
whatever the user may not see or do."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.accounts.models import User
from parindex.indices.models import IndexValue
from parindex.indices.services import index_value_save
from tests.indices.conftest import Province

pytestmark = pytest.mark.django_db


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def entered(kh: Province) -> Province:
    for year, index, value, rank in [
        (2023, "papi", "44.43", 12),
        (2023, "sipas", "85.32", None),
        (2022, "pci", "65.4", 9),
        (2023, "ict_index", "0.6123", 20),
    ]:
        index_value_save(
            authority=kh.authority,
            year=year,
            index=index,
            value=Decimal(value),
            rank=rank,
            ranked_of=63 if rank else None,
            by=kh.secretariat,
        )
    return kh


def test_indices_visitors_are_sent_to_sign_in(client: Client, kh: Province) -> None:
    for url in ("/indices/khanh_hoa/", "/indices/khanh_hoa/edit/", "/indices/khanh_hoa/import/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["secretariat", "leader", "chair", "focal"])
def test_indices_everyone_with_a_role_reads_the_table_in_vietnamese(
    entered: Province, who: str
) -> None:
    page = as_user(getattr(entered, who)).get("/indices/khanh_hoa/").content.decode()
    assert "Các chỉ số bên ngoài" in page
    assert "Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)" in page
    assert "44,43" in page and "12/63" in page
    assert "85,32%" in page
    assert "65,4" in page and "9/63" in page
    assert "0,6123" in page
    assert page.index('<th scope="row">2023</th>') < page.index('<th scope="row">2022</th>')
    editing = "/indices/khanh_hoa/edit/" in page
    assert editing == (who == "secretariat")


def test_indices_the_table_reads_in_english_on_request(entered: Province) -> None:
    client = as_user(entered.leader)
    page = client.get("/indices/khanh_hoa/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "44.43" in page


@pytest.mark.parametrize("who", ["leader", "chair", "focal", "other_secretariat"])
def test_indices_only_the_secretariat_reaches_the_entry_and_import_pages(
    entered: Province, who: str
) -> None:
    client = as_user(getattr(entered, who))
    for url in ("/indices/khanh_hoa/edit/", "/indices/khanh_hoa/import/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"year": "2023", "index": "pci", "value": "1"}).status_code == 404
    assert IndexValue.objects.count() == 4


def test_indices_another_authority_gets_404_for_the_table(entered: Province) -> None:
    assert as_user(entered.other_secretariat).get("/indices/khanh_hoa/").status_code == 404
    assert as_user(entered.secretariat).get("/indices/phu_yen/").status_code == 404
    assert as_user(entered.other_secretariat).get("/indices/phu_yen/").status_code == 200


def test_indices_the_secretariat_enters_then_corrects_a_value_with_a_reason(
    kh: Province,
) -> None:
    client = as_user(kh.secretariat)
    response = client.post(
        "/indices/khanh_hoa/edit/",
        {"year": "2023", "index": "pdti", "value": "0,4987", "rank": "20", "ranked_of": "63"},
    )
    assert response.status_code == 302
    assert IndexValue.objects.get().value == Decimal("0.4987")
    form = client.get("/indices/khanh_hoa/edit/?year=2023&index=pdti").content.decode()
    assert 'value="0,4987"' in form
    assert "Lịch sử thay đổi của giá trị này" in form
    refused = client.post(
        "/indices/khanh_hoa/edit/", {"year": "2023", "index": "pdti", "value": "0,5"}
    )
    assert refused.status_code == 200
    assert "Hãy nêu lý do thay đổi giá trị." in refused.content.decode()
    assert IndexValue.objects.get().value == Decimal("0.4987")
    client.post(
        "/indices/khanh_hoa/edit/",
        {"year": "2023", "index": "pdti", "value": "0,5", "reason": "Bộ TT&TT đính chính"},
    )
    assert IndexValue.objects.get().value == Decimal("0.5")
    history = client.get("/indices/khanh_hoa/edit/?year=2023&index=pdti").content.decode()
    assert "Bộ TT&amp;TT đính chính" in history
    assert "0,4987" in history and "0,5" in history
    table = client.get("/indices/khanh_hoa/").content.decode()
    assert "Thay đổi gần đây" in table and "Bộ TT&amp;TT đính chính" in table


def test_indices_a_value_outside_its_scale_is_shown_back_in_vietnamese(kh: Province) -> None:
    response = as_user(kh.secretariat).post(
        "/indices/khanh_hoa/edit/", {"year": "2023", "index": "papi", "value": "85"}
    )
    assert response.status_code == 200
    assert "giá trị 85 của papi phải từ 0 đến 80" in response.content.decode()
    assert not IndexValue.objects.exists()


def test_indices_the_import_page_lists_the_problems_by_line(kh: Province) -> None:
    client = as_user(kh.secretariat)
    bad = b"year,index,value\n2023,papi,44.43\n2023,hdi,1\n2023,pci,120\n"
    response = client.post(
        "/indices/khanh_hoa/import/", {"file": SimpleUploadedFile("chi-so.csv", bad)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tệp có 2 lỗi" in page
    assert '<td class="num">3</td>' in page and "chỉ số &#x27;hdi&#x27; không hợp lệ" in page
    assert '<td class="num">4</td>' in page and "giá trị 120 của pci phải từ 0 đến 100" in page
    assert not IndexValue.objects.exists()


def test_indices_the_import_page_imports_once(kh: Province) -> None:
    client = as_user(kh.secretariat)
    good = b"year,index,value,rank,ranked_of\n2023,papi,44.43,12,63\n"
    first = client.post(
        "/indices/khanh_hoa/import/", {"file": SimpleUploadedFile("chi-so.csv", good)}, follow=True
    )
    assert "tạo mới 1 giá trị" in first.content.decode()
    again = client.post(
        "/indices/khanh_hoa/import/", {"file": SimpleUploadedFile("chi-so.csv", good)}, follow=True
    )
    assert "đã được nhập trước đây" in again.content.decode()
    assert IndexValue.objects.count() == 1
