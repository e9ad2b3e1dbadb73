"""The dossiers pages: Vietnamese first, who sees which rows, 404 for everyone else."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.accounts.models import Role, User
from parindex.dossiers.models import DossierImport, Holiday
from parindex.dossiers.services import dossiers_import
from parindex.units.models import Authority
from tests.dossiers.conftest import AS_OF, member, vietnamese_csv

pytestmark = pytest.mark.django_db


def client_of(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)
    return client


@pytest.fixture
def record(authority: Authority) -> DossierImport:
    return dossiers_import(
        authority=authority,
        year=2024,
        file=io.BytesIO(vietnamese_csv()),
        file_name="mot-cua-2024.csv",
        by=None,
        as_of=AS_OF,
    ).dossier_import


def test_the_secretariat_imports_through_the_form(authority: Authority):
    client = client_of(member(authority, Role.SECRETARIAT))
    page = client.get(f"/dossiers/{authority.code}/import/")
    assert "Nhập tệp hồ sơ một cửa" in page.content.decode()
    upload = SimpleUploadedFile("mot-cua-2024.csv", vietnamese_csv(), "text/csv")
    answer = client.post(
        f"/dossiers/{authority.code}/import/",
        {"file": upload, "year": "2024", "mapping": "default"},
    )
    record = DossierImport.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/dossiers/imports/{record.pk}/"
    again = client.post(
        f"/dossiers/{authority.code}/import/",
        {
            "file": SimpleUploadedFile("x.csv", vietnamese_csv(), "text/csv"),
            "year": "2024",
            "mapping": "default",
        },
        follow=True,
    )
    assert "không có gì thay đổi" in again.content.decode()
    assert DossierImport.objects.count() == 1


def test_a_bad_file_shows_every_problem_by_line(authority: Authority):
    client = client_of(member(authority, Role.SECRETARIAT))
    data = vietnamese_csv().replace(b"2024-01-03T09:40", b"hom qua")
    page = client.post(
        f"/dossiers/{authority.code}/import/",
        {"file": SimpleUploadedFile("d.csv", data), "year": "2024", "mapping": "default"},
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "không nhập gì" in text
    assert '<td class="num">3</td>' in text
    assert DossierImport.objects.count() == 0


def test_the_summary_is_in_vietnamese_with_a_chart(authority: Authority, record: DossierImport):
    page = client_of(member(authority, Role.COUNCIL_CHAIR)).get(f"/dossiers/imports/{record.pk}/")
    text = page.content.decode()
    assert "Tỷ lệ đúng hạn theo đơn vị" in text
    assert "<svg" in text
    assert "Theo thủ tục" in text
    assert "XA_CHIENG_MUNG" in text
    assert "75,00%" in text  # SO_TP on time


def test_a_focal_point_sees_only_its_own_unit(authority: Authority, record: DossierImport):
    client = client_of(member(authority, Role.FOCAL_POINT, unit="SO_TC"))
    text = client.get(f"/dossiers/imports/{record.pk}/").content.decode()
    assert "SO_TC" in text
    assert "XA_CHIENG_MUNG" not in text
    assert "tp.lethimai" not in text
    assert "Theo thủ tục" not in text
    late = client.get(f"/dossiers/imports/{record.pk}/late/").content.decode()
    assert "000.00.12.H55-240311-0006" in late
    assert "H55.23-240122-0003" not in late
    officials = client.get(f"/dossiers/{authority.code}/officials/").content.decode()
    assert "tc.phamthulan" in officials
    assert "cm.cainga" not in officials
    assert client.get(f"/dossiers/{authority.code}/import/").status_code == 404


def test_other_authorities_and_strangers_get_404(
    authority: Authority, other_authority: Authority, record: DossierImport
):
    holiday = Holiday.objects.filter(authority=authority).first()
    assert holiday is not None
    for user in (
        member(other_authority, Role.SECRETARIAT),
        member(other_authority, Role.FOCAL_POINT, unit="SO_TP"),
        member(authority, Role.APPRAISER),
    ):
        client = client_of(user)
        for url in (
            f"/dossiers/{authority.code}/",
            f"/dossiers/{authority.code}/import/",
            f"/dossiers/{authority.code}/holidays/",
            f"/dossiers/{authority.code}/officials/",
            f"/dossiers/imports/{record.pk}/",
            f"/dossiers/imports/{record.pk}/late/",
        ):
            assert client.get(url).status_code == 404, (user.username, url)
        assert client.post(f"/dossiers/holidays/{holiday.pk}/delete/").status_code == 404
    assert Holiday.objects.filter(pk=holiday.pk).exists()


def test_the_secretariat_edits_the_holidays(authority: Authority):
    client = client_of(member(authority, Role.SECRETARIAT))
    page = client.get(f"/dossiers/{authority.code}/holidays/").content.decode()
    assert "Quốc khánh" in page
    assert "Thêm ngày nghỉ" in page
    answer = client.post(
        f"/dossiers/{authority.code}/holidays/", {"date": "2024-12-31", "name": "Nghỉ bù"}
    )
    assert answer.status_code == 302
    added = Holiday.objects.get(authority=authority, date="2024-12-31")
    twice = client.post(f"/dossiers/{authority.code}/holidays/", {"date": "2024-12-31"})
    assert "đã có trong lịch" in twice.content.decode()
    client.post(f"/dossiers/holidays/{added.pk}/delete/")
    assert not Holiday.objects.filter(pk=added.pk).exists()


def test_a_leader_sees_but_does_not_edit_holidays(authority: Authority):
    client = client_of(member(authority, Role.LEADER))
    page = client.get(f"/dossiers/{authority.code}/holidays/")
    assert page.status_code == 200
    assert "Thêm ngày nghỉ" not in page.content.decode()
    answer = client.post(f"/dossiers/{authority.code}/holidays/", {"date": "2024-12-31"})
    assert answer.status_code == 404


def test_the_import_list_and_officials_pages(authority: Authority, record: DossierImport):
    client = client_of(member(authority, Role.SECRETARIAT))
    listing = client.get(f"/dossiers/{authority.code}/").content.decode()
    assert "mot-cua-2024.csv" in listing
    assert "Nhập tệp" in listing
    officials = client.get(f"/dossiers/{authority.code}/officials/?year=2024").content.decode()
    assert "cm.cainga" in officials
    assert "66,67%" in officials
    assert "ct.vuthithu" not in officials
