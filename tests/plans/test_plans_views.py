"""The plan pages: Vietnamese first, filters, import, status and progress forms, downloads,
and a 404 for whatever the user may not see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.accounts.models import User
from parindex.demo.services import _pdf
from parindex.plans.models import Plan, ReportFile, Task
from parindex.plans.services import tasks_import
from tests.plans.plans_factories import EXAMPLE, Province, province

pytestmark = pytest.mark.django_db


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def imported(kh: Province) -> Province:
    tasks_import(plan=kh.plan, path=EXAMPLE, display_name="a.csv", by=kh.secretariat)
    return kh


def task(code: str) -> Task:
    return Task.objects.get(code=code)


def test_visitors_are_sent_to_sign_in(client: Client, imported: Province) -> None:
    for url in ("/plans/", f"/plans/{imported.plan.pk}/", f"/plans/tasks/{task('NV-01').pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_secretariat_sees_every_task_in_vietnamese_and_filters_them(
    imported: Province,
) -> None:
    client = as_user(imported.secretariat)
    page = client.get("/plans/").content.decode()
    assert "Kế hoạch cải cách hành chính năm 2017" in page
    assert "Kế hoạch mới của UBND tỉnh Khánh Hòa" in page
    page = client.get(f"/plans/{imported.plan.pk}/").content.decode()
    assert page.count("/plans/tasks/") == 21
    assert "Nhập nhiệm vụ" in page and "Đơn vị chủ trì" in page
    nv = imported.units["SO_NV"].pk
    page = client.get(f"/plans/{imported.plan.pk}/?lead={nv}&status=in_progress").content.decode()
    assert page.count("/plans/tasks/") == 4  # NV-11, 12, 14, 19
    page = client.get(f"/plans/{imported.plan.pk}/?status=done").content.decode()
    assert page.count("/plans/tasks/") == 6


def test_overdue_filter_lists_past_due_tasks(imported: Province) -> None:
    page = as_user(imported.leader).get(f"/plans/{imported.plan.pk}/?overdue=on").content.decode()
    # today is long after 2018: every dated task not done is overdue
    assert page.count("/plans/tasks/") == 8
    assert "quá hạn" in page


def test_a_unit_sees_only_the_tasks_it_leads(imported: Province) -> None:
    client = as_user(imported.tp_focal)
    page = client.get(f"/plans/{imported.plan.pk}/").content.decode()
    assert page.count("/plans/tasks/") == 2
    assert "Nhập nhiệm vụ" not in page
    assert client.get(f"/plans/tasks/{task('NV-11').pk}/").status_code == 404
    assert client.get(f"/plans/{imported.plan.pk}/import/").status_code == 404
    page = client.get(f"/plans/tasks/{task('NV-06').pk}/").content.decode()
    assert "Cập nhật trạng thái" in page


def test_the_leader_reads_but_does_not_update(imported: Province) -> None:
    client = as_user(imported.leader)
    page = client.get(f"/plans/tasks/{task('NV-11').pk}/").content.decode()
    assert "Cập nhật trạng thái" not in page
    response = client.post(
        f"/plans/tasks/{task('NV-11').pk}/status/", {"status": "done", "reason": "x"}
    )
    assert response.status_code == 200
    assert "Chỉ đơn vị chủ trì" in response.content.decode()
    assert task("NV-11").status == "in_progress"


def test_nobody_outside_the_authority_or_without_a_role_sees_anything(imported: Province) -> None:
    other = province("ninh_thuan")
    for user in (other.secretariat, other.nv_focal, imported.appraiser):
        client = as_user(user)
        assert client.get(f"/plans/{imported.plan.pk}/").status_code == 404
        assert client.get(f"/plans/tasks/{task('NV-11').pk}/").status_code == 404
        assert client.get(f"/plans/{imported.plan.pk}/report/year.xlsx").status_code == 404
        assert f'href="/plans/{imported.plan.pk}/"' not in client.get("/plans/").content.decode()


def test_status_update_and_progress_report_through_the_page(imported: Province) -> None:
    client = as_user(imported.nv_focal)
    url = f"/plans/tasks/{task('NV-11').pk}/"
    response = client.post(
        url + "status/",
        {"status": "done", "reason": "Đã trình UBND tỉnh", "completed_at": "2017-09-29"},
    )
    assert response.status_code == 302
    assert (task("NV-11").status, task("NV-11").completed_at) == ("done", dt.date(2017, 9, 29))
    response = client.post(
        url + "progress/",
        {
            "period": "q3",
            "percent": "100",
            "text": "Hoàn thành",
            "documents": [SimpleUploadedFile("bao-cao.pdf", _pdf("Báo cáo quý III"))],
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Đang thực hiện → Đã hoàn thành" in page and "Đã trình UBND tỉnh" in page
    assert "Quý III" in page and "bao-cao.pdf" in page
    stored = ReportFile.objects.get()
    download = client.get(f"/plans/files/{stored.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert as_user(imported.tp_focal).get(f"/plans/files/{stored.pk}/").status_code == 404


def test_a_refused_evidence_file_is_said_on_the_page(imported: Province) -> None:
    client = as_user(imported.nv_focal)
    response = client.post(
        f"/plans/tasks/{task('NV-11').pk}/progress/",
        {"period": "q3", "percent": "10", "text": "x",
         "documents": [SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")]},
    )  # fmt: skip
    assert response.status_code == 200
    assert "không phải là loại tài liệu được chấp nhận" in response.content.decode()
    assert not ReportFile.objects.exists()


def test_import_page_lists_problems_by_line_and_then_imports(kh: Province) -> None:
    client = as_user(kh.secretariat)
    bad = EXAMPLE.read_bytes().replace("Thanh tra tỉnh,Sở Kế".encode(), "Sở Ma,Sở Kế".encode())
    response = client.post(
        f"/plans/{kh.plan.pk}/import/", {"file": SimpleUploadedFile("kh.csv", bad)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tệp có 1 lỗi" in page and "Sở Ma" in page and '<td class="num">5</td>' in page
    assert not Task.objects.exists()
    response = client.post(
        f"/plans/{kh.plan.pk}/import/", {"file": SimpleUploadedFile("kh.csv", EXAMPLE.read_bytes())}
    )
    assert response.status_code == 302
    assert Task.objects.count() == 21
    response = client.post(
        f"/plans/{kh.plan.pk}/import/",
        {"file": SimpleUploadedFile("kh.csv", EXAMPLE.read_bytes())},
        follow=True,
    )
    assert "đã được nhập trước đây" in response.content.decode()


def test_the_secretariat_creates_a_plan(kh: Province) -> None:
    client = as_user(kh.secretariat)
    response = client.post(
        f"/plans/new/{kh.authority.code}/",
        {"year": "2018", "title": "Kế hoạch CCHC năm 2018", "number": "Kế hoạch số 5/KH-UBND"},
    )
    plan = Plan.objects.get(year=2018)
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert as_user(kh.nv_focal).get(f"/plans/new/{kh.authority.code}/").status_code == 404


def test_the_report_downloads_as_xlsx(imported: Province) -> None:
    response = as_user(imported.secretariat).get(f"/plans/{imported.plan.pk}/report/h1.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"
    assert (
        as_user(imported.secretariat).get(f"/plans/{imported.plan.pk}/report/h9.xlsx").status_code
        == 404
    )


def test_the_plan_page_asks_a_fixed_number_of_queries(
    imported: Province, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = as_user(imported.secretariat)
    with django_assert_max_num_queries(10):  # whatever the number of tasks
        assert client.get(f"/plans/{imported.plan.pk}/").status_code == 200
    task_page = f"/plans/tasks/{task('NV-03').pk}/"
    with django_assert_max_num_queries(8):
        assert client.get(task_page).status_code == 200
