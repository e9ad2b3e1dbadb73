"""The province's reform plan of 2014 (*kế hoạch CCHC năm 2014*) for the demo.

The plan is created and its 27 tasks imported from `data/ke-hoach-cchc-2014.csv` by the
secretariat, as the web form does; then the lead units act: Sở Y tế marks its ISO task done
(with a reason, in the task's history) and four units report progress, three with a PDF.
Seen today, every task of 2014 not done is overdue; the tasks due in 2014 give each
department its `plan_completion_rate` (the data leaf 1.1.3 of the departments' set).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from parindex.accounts.models import User
from parindex.demo.build import DATA, Say, pdf
from parindex.plans.models import Period, Plan, TaskStatus
from parindex.plans.selectors import overdue
from parindex.plans.services import (
    plan_create,
    progress_report_add,
    task_status_update,
    tasks_import,
)
from parindex.units.models import Authority

PLAN_TITLE = "Kế hoạch cải cách hành chính năm 2014 của UBND tỉnh Sơn La"
TASKS = DATA / "ke-hoach-cchc-2014.csv"

# (task, the lead unit's user, day, reason): the lead marks its task done, later than imported.
DONE_LATER = (
    "KH-18",
    "so_yt.thu_truong",
    dt.date(2014, 12, 19),
    "Sở đã công bố Hệ thống quản lý chất lượng phù hợp tiêu chuẩn TCVN ISO 9001:2008 "
    "cho các thủ tục hành chính thuộc thẩm quyền giải quyết.",
)


@dataclass(frozen=True)
class Report:
    task: str
    period: str
    percent: int
    text: str
    document: str  # the PDF's file name, or "" for a report without one


REPORTS = (
    Report(
        "KH-14", Period.Q3, 60,
        "Đã rà soát 450 hồ sơ cấp Giấy chứng nhận quyền sử dụng đất tồn đọng, giải quyết xong "
        "270 hồ sơ; 180 hồ sơ vướng nguồn gốc đất đang phối hợp với UBND các huyện xác minh. "
        "Quy trình, thời hạn giải quyết đã niêm yết tại Bộ phận một cửa.",
        "SO_TNMT-bao-cao-tien-do-quy-III-2014.pdf",
    ),
    Report(
        "KH-21", Period.Q3, 40,
        "Đã ban hành văn bản hướng dẫn; kiểm tra 6/19 cơ quan về việc duy trì hệ thống quản lý "
        "chất lượng ISO 9001:2008, 3 cơ quan chưa cập nhật quy trình theo thủ tục mới công bố.",
        "SO_KHCN-bao-cao-kiem-tra-ISO-quy-III-2014.pdf",
    ),
    Report(
        "KH-10", Period.Q3, 100,
        "Bộ phận một cửa hiện đại của Sở đi vào hoạt động từ ngày 29/9/2014: 4 quầy giao dịch, "
        "máy lấy số thứ tự, màn hình tra cứu tình trạng hồ sơ.",
        "SO_KHDT-bien-ban-dua-vao-hoat-dong.pdf",
    ),
    Report(
        "KH-05", Period.Q4, 70,
        "Đã trình UBND tỉnh dự thảo quy định chức năng, nhiệm vụ của 12/19 sở; đang chờ thông tư "
        "liên tịch hướng dẫn của các bộ đối với các sở còn lại.",
        "",
    ),
)  # fmt: skip


def reform_plan_load(
    *, authority: Authority, secretary: User, people: dict[str, User], say: Say
) -> Plan:
    plan = plan_create(authority=authority, year=2014, title=PLAN_TITLE, number="", by=secretary)
    tasks_import(plan=plan, path=TASKS, display_name=TASKS.name, by=secretary)
    code, username, day, reason = DONE_LATER
    task_status_update(
        task=plan.tasks.get(code=code),
        status=TaskStatus.DONE,
        reason=reason,
        by=people[username],
        on=day,
    )
    for report in REPORTS:
        task = plan.tasks.select_related("lead").get(code=report.task)
        files = []
        if report.document:
            text = f"{task.lead.code}: bao cao tien do nhiem vu {task.code}, ke hoach CCHC 2014"
            files.append(ContentFile(pdf(text), name=report.document))
        progress_report_add(
            task=task,
            period=report.period,
            text=report.text,
            percent=report.percent,
            files=files,
            by=people[f"{task.lead.code.lower()}.dau_moi"],
        )
    tasks = plan.tasks.all()
    done = tasks.filter(status=TaskStatus.DONE).count()
    late = overdue(tasks, timezone.localdate()).count()
    say(f"  kế hoạch CCHC năm 2014: {tasks.count()} nhiệm vụ, {done} đã hoàn thành, {late} quá hạn")
    return plan
