"""The secretariat's unit pages: list with groups and lineage, and the import form."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parindex.accounts.models import Role, User
from parindex.units.models import Authority, Unit
from tests.factories import AuthorityFactory, MembershipFactory, UnitFactory, UnitGroupFactory

pytestmark = pytest.mark.django_db

GOOD = (
    "code,name,group,type,parent,valid_from,valid_to,predecessors\n"
    "SON_LA,UBND tỉnh Sơn La,tinh,tinh,,,,\n"
    "SO_NV,Sở Nội vụ,so_nganh,so,SON_LA,2025-03-01,,SO_LDTBXH\n"
    "SO_LDTBXH,Sở LĐTBXH,so_nganh,so,SON_LA,,2025-02-28,\n"
)
BAD = (
    "code,name,parent,predecessors\n"
    "SO_TP,Sở Tư pháp,SO_KHONG_CO,\n"
    "SO_TC,Sở Tài chính,,SO_KHDT\n"
    "SO_TP,Lặp,,\n"
)


@pytest.fixture
def province() -> Authority:
    return AuthorityFactory(code="son_la", name="UBND tỉnh Sơn La")


def signed_in(client: Client, authority: Authority, role: Role, **extra: object) -> User:
    membership = MembershipFactory(authority=authority, role=role, **extra)
    client.force_login(membership.user)
    user: User = membership.user
    return user


def upload(text: str, name: str = "don-vi.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_visitors_are_sent_to_sign_in(client: Client, province: Authority) -> None:
    for url in ("/units/", "/units/son_la/", "/units/son_la/import/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# ---------------------------------------------------------------- unit list


def test_the_secretariat_sees_units_by_group_with_their_lineage(
    client: Client, province: Authority
) -> None:
    signed_in(client, province, Role.SECRETARIAT)
    group = UnitGroupFactory(authority=province, code="xa", name="Khối UBND xã")
    old_a = UnitFactory(authority=province, group=group, code="XB_CU", name="Xã cũ A")
    older = UnitFactory(authority=province, group=group, code="XC_RAT_CU", name="Xã rất cũ")
    new = UnitFactory(authority=province, group=group, code="XA_MOI", name="Xã mới")
    UnitFactory(authority=province, group=None, code="LE", name="Đơn vị lẻ")
    new.predecessors.add(old_a)
    old_a.predecessors.add(older)

    response = client.get("/units/son_la/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Khối UBND xã" in page
    assert "Xã mới" in page
    assert "Đơn vị lẻ" in page
    sections = response.context["sections"]
    assert [(g.code if g else None, [u.code for u, _ in rows]) for g, rows in sections] == [
        ("xa", ["XA_MOI", "XB_CU", "XC_RAT_CU"]),
        (None, ["LE"]),
    ]
    lineage = dict(sections[0][1])[new]
    assert [(s.unit.code, s.depth) for s in lineage] == [("XB_CU", 1), ("XC_RAT_CU", 2)]
    assert "/units/son_la/import/" in page


def test_the_unit_list_takes_the_same_queries_for_any_number_of_units(
    client: Client, province: Authority
) -> None:
    signed_in(client, province, Role.SECRETARIAT)

    def queries_with(count: int) -> int:
        group = UnitGroupFactory(authority=province)
        for n in range(count):
            unit = UnitFactory(authority=province, group=group)
            unit.predecessors.add(
                UnitFactory(authority=province, group=group, code=f"OLD{n}_{count}")
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/units/son_la/").status_code == 200
        return len(queries)

    assert queries_with(2) == queries_with(12) <= 10


def test_leaders_read_the_list_without_the_secretariats_actions(
    client: Client, province: Authority
) -> None:
    signed_in(client, province, Role.LEADER)

    response = client.get("/units/son_la/")

    assert response.status_code == 200
    assert "/units/son_la/import/" not in response.content.decode()
    assert client.get("/units/son_la/import/").status_code == 404


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.UNIT_HEAD, Role.APPRAISER])
def test_unit_roles_and_appraisers_of_the_same_authority_get_404(
    client: Client, province: Authority, role: Role
) -> None:
    signed_in(client, province, role)

    assert client.get("/units/son_la/").status_code == 404
    assert client.get("/units/son_la/import/").status_code == 404
    response = client.post("/units/son_la/import/", {"file": upload(GOOD)})
    assert response.status_code == 404
    assert not Unit.objects.filter(code="SO_NV").exists()


def test_the_secretariat_of_another_authority_gets_404(client: Client, province: Authority) -> None:
    signed_in(client, AuthorityFactory(code="mai_son"), Role.SECRETARIAT)

    assert client.get("/units/son_la/").status_code == 404
    assert client.get("/units/son_la/import/").status_code == 404
    assert client.get("/units/khong_co/").status_code == 404


def test_the_authority_list_shows_only_ones_own_authorities(
    client: Client, province: Authority
) -> None:
    AuthorityFactory(code="mai_son", name="UBND huyện Mai Sơn")
    signed_in(client, province, Role.SECRETARIAT)

    page = client.get("/units/").content.decode()

    assert "UBND tỉnh Sơn La" in page
    assert "Mai Sơn" not in page
    assert "/accounts/unit-accounts/son_la/" in page


# ---------------------------------------------------------------- import


def test_the_secretariat_imports_a_units_file(client: Client, province: Authority) -> None:
    signed_in(client, province, Role.SYSTEM_ADMIN)
    assert client.get("/units/son_la/import/").status_code == 200

    response = client.post("/units/son_la/import/", {"file": upload(GOOD)}, follow=True)

    assert response.redirect_chain == [("/units/son_la/", 302)]
    assert Unit.objects.filter(authority=province).count() == 3
    so_nv = Unit.objects.get(code="SO_NV")
    assert [p.code for p in so_nv.predecessors.all()] == ["SO_LDTBXH"]
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Đã nhập don-vi.csv: tạo 3 đơn vị, cập nhật 0, giữ nguyên 0."]


def test_an_xlsx_upload_is_imported(client: Client, province: Authority) -> None:
    import io

    import xlsxwriter

    signed_in(client, province, Role.SECRETARIAT)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for row, line in enumerate(GOOD.splitlines()):
        for column, cell in enumerate(line.split(",")):
            if cell:
                sheet.write_string(row, column, cell)
    workbook.close()

    response = client.post(
        "/units/son_la/import/", {"file": SimpleUploadedFile("don-vi.xlsx", buffer.getvalue())}
    )

    assert response.status_code == 302
    assert Unit.objects.filter(authority=province).count() == 3


def test_a_bad_file_shows_every_problem_with_its_line_and_changes_nothing(
    client: Client, province: Authority
) -> None:
    signed_in(client, province, Role.SECRETARIAT)
    UnitFactory(authority=province, code="SO_CU", name="Sở cũ")

    response = client.post(
        "/units/son_la/import/", {"file": upload(BAD)}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert response.context["problems"] == [
        (4, "duplicate unit code SO_TP (already on line 2)"),
    ]
    assert list(Unit.objects.values_list("code", flat=True)) == ["SO_CU"]

    response = client.post(
        "/units/son_la/import/",
        {"file": upload(BAD.replace("SO_TP,Lặp,,\n", ""))},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.context["problems"] == [
        (2, "unknown parent unit code SO_KHONG_CO (neither in the file nor stored)"),
        (3, "unknown predecessor unit code SO_KHDT (neither in the file nor stored)"),
    ]
    page = response.content.decode()
    assert "SO_KHONG_CO" in page and "SO_KHDT" in page
    assert list(Unit.objects.values_list("code", flat=True)) == ["SO_CU"]


def test_problems_are_shown_in_vietnamese_by_default(client: Client, province: Authority) -> None:
    signed_in(client, province, Role.SECRETARIAT)

    response = client.post("/units/son_la/import/", {"file": upload(BAD)})

    assert response.context["problems"] == [(4, "mã đơn vị SO_TP bị lặp lại (đã có ở dòng 2)")]


def test_only_csv_and_xlsx_files_are_taken(client: Client, province: Authority) -> None:
    signed_in(client, province, Role.SECRETARIAT)

    response = client.post("/units/son_la/import/", {"file": upload(GOOD, "don-vi.txt")})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Unit.objects.exists()
