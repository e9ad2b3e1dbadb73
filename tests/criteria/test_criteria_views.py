"""The criteria pages: who sees what, uploads, downloads, differences, appraisers."""

from __future__ import annotations

import io

import pytest
import xlsxwriter
from criteria_factories import (
    DEPARTMENTS_2025,
    SMALL,
    authority,
    signed_in,
    small_set,
    stored,
)
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.accounts.models import Role
from parindex.criteria.models import CriteriaSetVersion
from parindex.criteria.services import criteria_set_freeze, criteria_set_import, criteria_set_of
from parindex.formats.criteria import read_criteria
from parindex.formats.criteria_xlsx import criteria_from_xlsx, criteria_to_xlsx
from parindex.units.models import Authority

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def province() -> Authority:
    return authority("son-la", "UBND tỉnh Sơn La")


def yaml_file(text: str, name: str = "bo-tieu-chi.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="application/yaml")


def urls(version: CriteriaSetVersion) -> list[str]:
    return [
        f"/criteria/v/{version.pk}/",
        f"/criteria/v/{version.pk}/revise/",
        f"/criteria/v/{version.pk}/appraisers/",
        f"/criteria/v/{version.pk}/diff/?against={version.pk}",
        f"/criteria/v/{version.pk}/download.yaml",
        f"/criteria/v/{version.pk}/download.xlsx",
    ]


# ---------------------------------------------------------------- who sees what


def test_visitors_are_sent_to_sign_in(client: Client, province: Authority) -> None:
    version = stored(province)
    for url in ["/criteria/", "/criteria/son-la/upload/", *urls(version)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


def test_another_authoritys_sets_are_not_found(client: Client, province: Authority) -> None:
    version = stored(province)
    signed_in(client, authority("lai-chau"), Role.SECRETARIAT)
    for url in [*urls(version), "/criteria/son-la/upload/"]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/criteria/v/{version.pk}/revise/", {"yaml_text": SMALL}).status_code == 404
    listing = client.get("/criteria/")
    assert listing.status_code == 200 and "THU-2025" not in listing.content.decode()


def test_other_members_of_the_authority_read_but_do_not_change(
    client: Client, province: Authority
) -> None:
    version = stored(province)
    for role in (Role.FOCAL_POINT, Role.APPRAISER, Role.LEADER, Role.COUNCIL_CHAIR):
        client.logout()
        signed_in(client, province, role)
        for url in [*urls(version)[:1], *urls(version)[3:]]:
            assert client.get(url).status_code == 200, (role, url)
        for url in [*urls(version)[1:3], "/criteria/son-la/upload/"]:
            assert client.get(url).status_code == 403, (role, url)
        page = client.get(f"/criteria/v/{version.pk}/").content.decode()
        assert f"/criteria/v/{version.pk}/revise/" not in page


def test_the_secretariat_and_system_admin_may_change(client: Client, province: Authority) -> None:
    version = stored(province)
    for role in (Role.SECRETARIAT, Role.SYSTEM_ADMIN):
        client.logout()
        signed_in(client, province, role)
        for url in [*urls(version), "/criteria/son-la/upload/"]:
            assert client.get(url).status_code == 200, (role, url)


# ---------------------------------------------------------------- list and tree


def test_the_list_shows_sets_and_versions_in_vietnamese(
    client: Client,
    province: Authority,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    first = criteria_set_freeze(version=stored(province))
    stored(province, small_set(**{"title: Thể chế": "title: Thể chế mới"}))
    signed_in(client, province, Role.SECRETARIAT)
    with django_assert_num_queries(5):  # session, user, roles, authorities, versions
        page = client.get("/criteria/").content.decode()
    assert "Bộ tiêu chí" in page and "Bộ thử năm 2025" in page
    assert "phiên bản 2" in page and "phiên bản 1" in page
    assert "đã khóa" in page and f"/criteria/v/{first.pk}/" in page
    assert "/criteria/son-la/upload/" in page


def test_the_tree_shows_fields_as_collapsible_sections_with_each_leaf(
    client: Client, province: Authority
) -> None:
    text = DEPARTMENTS_2025.read_text(encoding="utf-8")
    signed_in(client, province, Role.FOCAL_POINT)
    version = criteria_set_import(authority=province, yaml_text=text)
    page = client.get(f"/criteria/v/{version.pk}/").content.decode()
    assert page.count('<details class="field">') == len(read_criteria(DEPARTMENTS_2025).nodes)
    assert "Công tác chỉ đạo, điều hành CCHC" in page
    assert "choice: dung_han=1 (Ban hành trước ngày 31/12/2024)" in page
    assert "Tự đánh giá" in page and "noi_vu" in page
    assert "Quyết định ban hành kế hoạch CCHC năm 2025" in page  # evidence
    assert "1,5" in page  # Vietnamese decimal comma
    assert "điểm thưởng" in page


def test_the_tree_is_in_english_when_asked(client: Client, province: Authority) -> None:
    version = stored(province)
    signed_in(client, province, Role.LEADER)
    client.cookies["django_language"] = "en"
    page = client.get(f"/criteria/v/{version.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Self-assessed" in page and "Download YAML" in page


# ---------------------------------------------------------------- upload


def test_uploading_a_yaml_file_stores_a_version(client: Client, province: Authority) -> None:
    user = signed_in(client, province)
    response = client.post("/criteria/son-la/upload/", {"file": yaml_file(SMALL)}, follow=True)
    version = CriteriaSetVersion.objects.get()
    assert response.redirect_chain[-1][0] == f"/criteria/v/{version.pk}/"
    assert version.yaml_text == SMALL and version.created_by == user
    assert "THU-2025" in response.content.decode()


def test_uploading_a_workbook_stores_its_yaml(client: Client, province: Authority) -> None:
    criteria = read_criteria(DEPARTMENTS_2025)
    upload = SimpleUploadedFile("bo.xlsx", criteria_to_xlsx(criteria), content_type=XLSX)
    signed_in(client, province)
    response = client.post("/criteria/son-la/upload/", {"file": upload})
    assert response.status_code == 302
    version = CriteriaSetVersion.objects.get()
    assert criteria_set_of(version) == criteria
    assert version.yaml_text.startswith("code: DEMO-SO-2025\n")


def test_a_bad_yaml_file_lists_its_problems_with_key_paths_and_stores_nothing(
    client: Client, province: Authority
) -> None:
    signed_in(client, province)
    bad = small_set(**{"max_points: 5": "max_points: 6", "per: 0.25": "per: -1"})
    response = client.post("/criteria/son-la/upload/", {"file": yaml_file(bad, "sai.yaml")})
    page = response.content.decode()
    assert response.status_code == 200
    assert "sai.yaml: max_points" in page
    assert "sai.yaml: nodes[0].children[0].children[1].rule.per" in page
    assert "Tệp có 2 lỗi; chưa lưu gì." in page
    assert not CriteriaSetVersion.objects.exists()


def test_a_workbook_with_a_bad_rule_is_reported_at_its_row(
    client: Client, province: Authority
) -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    tree = book.add_worksheet("Tiêu chí")
    for r, row in enumerate(
        [
            ["STT", "Nội dung", "Điểm tối đa", "Nguồn", "Quy tắc"],
            ["1", "Lĩnh vực", "1", "", ""],
            ["1.1", "Lá", "1", "self", "choise: a=1"],
        ]
    ):
        tree.write_row(r, 0, row)
    setup = book.add_worksheet("Thiết lập")
    for r, row in enumerate(
        [["code", "X"], ["title", "X"], ["year", "2025"], ["unit_group", "g"], ["max_points", "1"]]
    ):
        setup.write_row(r, 0, row)
    book.close()
    signed_in(client, province)
    upload = SimpleUploadedFile("sai.xlsx", buffer.getvalue(), content_type=XLSX)
    page = client.post("/criteria/son-la/upload/", {"file": upload}).content.decode()
    assert "sai.xlsx[Tiêu chí]:3" in page
    assert "Quy tắc: loại quy tắc &#x27;choise&#x27; không hợp lệ" in page
    assert not CriteriaSetVersion.objects.exists()


def test_only_yaml_and_xlsx_files_are_taken(client: Client, province: Authority) -> None:
    signed_in(client, province)
    upload = SimpleUploadedFile("bo.csv", b"a,b\n", content_type="text/csv")
    response = client.post("/criteria/son-la/upload/", {"file": upload})
    assert response.status_code == 200
    assert not CriteriaSetVersion.objects.exists()
    assert ".yaml" in response.content.decode()


# ---------------------------------------------------------------- revise


def test_editing_a_draft_replaces_it(client: Client, province: Authority) -> None:
    version = stored(province)
    signed_in(client, province)
    edited = small_set(**{"title: Thể chế": "title: Thể chế mới"})
    response = client.post(f"/criteria/v/{version.pk}/revise/", {"yaml_text": edited})
    assert response.status_code == 302 and response["Location"] == f"/criteria/v/{version.pk}/"
    version.refresh_from_db()
    assert version.yaml_text == edited


def test_editing_a_frozen_version_makes_a_new_one(client: Client, province: Authority) -> None:
    version = criteria_set_freeze(version=stored(province))
    signed_in(client, province)
    page = client.get(f"/criteria/v/{version.pk}/revise/").content.decode()
    assert "phiên bản mới" in page
    edited = small_set(**{"title: Thể chế": "title: Thể chế mới"})
    response = client.post(f"/criteria/v/{version.pk}/revise/", {"yaml_text": edited}, follow=True)
    newest = CriteriaSetVersion.objects.get(version=2)
    assert response.redirect_chain[-1][0] == f"/criteria/v/{newest.pk}/"
    assert "phiên bản mới 2" in response.content.decode()


def test_an_edit_with_problems_changes_nothing(client: Client, province: Authority) -> None:
    version = stored(province)
    signed_in(client, province)
    response = client.post(f"/criteria/v/{version.pk}/revise/", {"yaml_text": "code: ["})
    assert response.status_code == 200
    assert "YAML sai cú pháp" in response.content.decode()
    version.refresh_from_db()
    assert version.yaml_text == SMALL


def test_an_edit_may_be_a_workbook(client: Client, province: Authority) -> None:
    version = stored(province)
    changed = small_set(**{"title: Thể chế": "title: Thể chế (từ bảng tính)"})
    data = criteria_to_xlsx(criteria_set_of(stored(authority("mau"), changed)))
    signed_in(client, province)
    upload = SimpleUploadedFile("sua.xlsx", data, content_type=XLSX)
    response = client.post(f"/criteria/v/{version.pk}/revise/", {"yaml_text": "", "file": upload})
    assert response.status_code == 302
    version.refresh_from_db()
    assert criteria_set_of(version).nodes[1].title == "Thể chế (từ bảng tính)"


# ---------------------------------------------------------------- downloads


def test_the_yaml_download_is_the_stored_text_as_an_attachment(
    client: Client, province: Authority
) -> None:
    version = stored(province)
    signed_in(client, province, Role.FOCAL_POINT)
    response = client.get(f"/criteria/v/{version.pk}/download.yaml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    assert response["Content-Disposition"] == 'attachment; filename="THU-2025-v1.yaml"'
    assert response.content.decode() == SMALL  # comments included
    assert "no-store" in response["Cache-Control"]


def test_the_xlsx_download_reads_back_as_the_set(client: Client, province: Authority) -> None:
    version = stored(province)
    signed_in(client, province, Role.FOCAL_POINT)
    response = client.get(f"/criteria/v/{version.pk}/download.xlsx")
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="THU-2025-v1.xlsx"'
    assert criteria_from_xlsx(response.content, "x.xlsx") == criteria_set_of(version)


# ---------------------------------------------------------------- differences


def test_the_diff_page_shows_what_changed(client: Client, province: Authority) -> None:
    old = stored(province)
    new = stored(
        province,
        small_set(
            **{"title: Thể chế": "title: Thể chế mới", "appraiser: tu_phap": "appraiser: sxd"}
        ),
    )
    signed_in(client, province, Role.LEADER)
    page = client.get(f"/criteria/v/{new.pk}/diff/").content.decode()  # against the previous
    assert "Thể chế mới" in page and "đã sửa" in page
    assert "<del>tu_phap</del> → <ins>sxd</ins>" in page
    page = client.get(f"/criteria/v/{new.pk}/diff/?against={old.pk}").content.decode()
    assert "<del>tu_phap</del>" in page
    assert client.get(f"/criteria/v/{old.pk}/diff/").status_code == 404  # no previous version


def test_a_diff_against_another_authoritys_version_is_not_found(
    client: Client, province: Authority
) -> None:
    mine = stored(province)
    theirs = stored(authority("lai-chau"))
    signed_in(client, province, Role.LEADER)
    assert client.get(f"/criteria/v/{mine.pk}/diff/?against={theirs.pk}").status_code == 404


# ---------------------------------------------------------------- appraisers


def test_the_appraiser_form_starts_with_the_current_agencies(
    client: Client, province: Authority
) -> None:
    version = stored(province)
    signed_in(client, province)
    page = client.get(f"/criteria/v/{version.pk}/appraisers/").content.decode()
    assert 'name="field_1" value="tu_phap"' in page  # field 2: every leaf has tu_phap
    assert 'name="field_0"' in page and 'name="field_0" value=' not in page  # field 1 differs
    assert 'name="leaf_0_0" value="noi_vu"' in page
    assert '<option value="noi_vu">' in page


def test_a_field_starts_with_the_agency_most_of_its_leaves_have(
    client: Client, province: Authority
) -> None:
    version = stored(
        province,
        small_set(
            **{"rule: {type: manual, step: 0.25}": "appraiser: tttt\n        rule: {type: manual}"}
        ),
    )
    signed_in(client, province)
    page = client.get(f"/criteria/v/{version.pk}/appraisers/").content.decode()
    assert 'name="field_0" value="noi_vu"' in page
    assert 'name="leaf_0_0" value=' not in page
    assert 'name="leaf_0_2" value="tttt"' in page
    data = {"field_0": "noi_vu", "leaf_0_2": "tttt", "field_1": "tu_phap"}
    response = client.post(f"/criteria/v/{version.pk}/appraisers/", data, follow=True)
    assert "Không có gì thay đổi" in response.content.decode()


def test_sending_the_appraiser_form_unchanged_changes_nothing(
    client: Client, province: Authority
) -> None:
    version = stored(province)
    signed_in(client, province)
    data = {"field_0": "", "leaf_0_0": "noi_vu", "leaf_0_1": "noi_vu", "leaf_0_2": ""}
    data["field_1"] = "tu_phap"
    response = client.post(f"/criteria/v/{version.pk}/appraisers/", data, follow=True)
    assert "Không có gì thay đổi" in response.content.decode()
    version.refresh_from_db()
    assert version.yaml_text == SMALL


def test_a_field_agency_and_a_leaf_override_are_saved(client: Client, province: Authority) -> None:
    version = stored(province)
    signed_in(client, province)
    data = {"field_0": "noi_vu", "leaf_0_2": "tttt", "field_1": "tai_chinh"}
    response = client.post(f"/criteria/v/{version.pk}/appraisers/", data)
    assert response.status_code == 302
    version.refresh_from_db()
    agencies = {leaf.code: leaf.appraiser for leaf in criteria_set_of(version).leaves()}
    assert agencies == {"1.1.1": "noi_vu", "1.1.2": "noi_vu", "1.2": "tttt", "2.1": "tai_chinh"}


def test_an_agency_with_spaces_is_refused(client: Client, province: Authority) -> None:
    version = stored(province)
    signed_in(client, province)
    response = client.post(f"/criteria/v/{version.pk}/appraisers/", {"field_0": "Sở Nội vụ"})
    assert response.status_code == 200
    version.refresh_from_db()
    assert version.yaml_text == SMALL


def test_assigning_on_a_frozen_version_goes_to_a_new_version(
    client: Client, province: Authority
) -> None:
    version = criteria_set_freeze(version=stored(province))
    signed_in(client, province)
    response = client.post(f"/criteria/v/{version.pk}/appraisers/", {"field_1": "tai_chinh"})
    newest = CriteriaSetVersion.objects.get(version=2)
    assert response["Location"] == f"/criteria/v/{newest.pk}/"
    assert criteria_set_of(newest).leaf("2.1").appraiser == "tai_chinh"  # type: ignore[union-attr]
