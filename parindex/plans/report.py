"""The periodic report on a plan (*báo cáo định kỳ quý, 6 tháng, năm*): rows compiled from the
tasks, written as XLSX (formulas neutralised: a cell never runs as a formula)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from parindex.accounts.models import User
from parindex.core.language import message_lang
from parindex.formats.results import neutralise
from parindex.plans.models import Period, Plan, Task, TaskStatus
from parindex.plans.selectors import tasks_for_period

_SPANS = {
    Period.Q1: (1, 3),
    Period.Q2: (4, 6),
    Period.Q3: (7, 9),
    Period.Q4: (10, 12),
    Period.H1: (1, 6),
    Period.YEAR: (1, 12),
}


def period_span(period: str, year: int) -> tuple[dt.date, dt.date]:
    """The first and last day a report for `period` of `year` covers."""
    first_month, last_month = _SPANS[Period(period)]
    last = dt.date(year + (last_month == 12), last_month % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(year, first_month, 1), last


def _state(task: Task, last: dt.date) -> str:
    if task.status == TaskStatus.DONE:
        due, completed = task.due_date, task.completed_at
        if due is not None and completed is not None and completed > due:
            return str(_("Done late"))
        return str(_("Done"))
    if task.due_date is not None and task.due_date < last:
        return str(_("Overdue"))
    return str(TaskStatus(task.status).label)


def report_rows(
    plan: Plan, period: str, user: User | object
) -> tuple[list[str], Iterator[list[Any]]]:
    first, last = period_span(period, plan.year)
    header = [
        str(_("Code")),
        str(_("Task")),
        str(_("Lead unit")),
        str(_("Partner units")),
        str(_("Deadline")),
        str(_("Due date")),
        str(_("Status")),
        str(_("Completed on")),
        str(_("Latest progress")),
        str(_("Percent done")),
    ]

    def rows() -> Iterator[list[Any]]:
        for task in tasks_for_period(plan=plan, first=first, last=last, user=user):
            reports = [r for r in task.reports.all() if r.at.date() <= last] or list(
                task.reports.all()
            )
            latest = max(reports, key=lambda r: (r.at, r.pk)) if reports else None
            yield [
                task.code,
                task.title,
                task.lead.name,
                "; ".join(unit.name for unit in task.partners.all()),
                task.deadline,
                task.due_date,
                _state(task, last),
                task.completed_at,
                latest.text if latest else "",
                latest.percent if latest else None,
            ]

    return header, rows()


def report_xlsx(plan: Plan, period: str, user: User | object) -> bytes:
    """The report as an XLSX workbook: a title, the period, then one row per task."""
    first, last = period_span(period, plan.year)
    header, rows = report_rows(plan, period, user)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(str(_("Report"))[:31])
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    day = book.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
    sheet.write_string(0, 0, neutralise(f"{plan.number} {plan.title}".strip()), bold)
    sheet.write_string(
        1,
        0,
        str(_("Period: %(label)s %(year)s (%(first)s – %(last)s)"))
        % {
            "label": Period(period).label,
            "year": plan.year,
            "first": first.strftime("%d/%m/%Y"),
            "last": last.strftime("%d/%m/%Y"),
        },
    )
    for column, text in enumerate(header):
        sheet.write_string(3, column, text, bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, cell in enumerate(row):
            if cell is None or cell == "":
                sheet.write_blank(3 + count, column, None, wrap)
            elif isinstance(cell, dt.date):
                sheet.write_datetime(3 + count, column, cell, day)
            elif isinstance(cell, int):
                sheet.write_number(3 + count, column, cell, wrap)
            else:
                sheet.write_string(3 + count, column, neutralise(str(cell)), wrap)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 3, 30)
    sheet.set_column(4, 7, 14)
    sheet.set_column(8, 8, 50)
    sheet.freeze_panes(4, 0)
    if count:
        sheet.autofilter(3, 0, 3 + count, len(header) - 1)
    book.close()
    return buffer.getvalue()


def report_pdf(plan: Plan, period: str, user: User | object) -> bytes:
    """The report as a PDF in the Decree 30 layout of `parindex.formats.results_pdf` (its
    national heading, fonts and page numbering), one table row per task."""
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    from parindex.formats import results_pdf as decree30

    decree30._register_fonts()
    first, last = period_span(period, plan.year)
    header, rows = report_rows(plan, period, user)
    title = str(_("REPORT ON THE REFORM PLAN: %(period)s %(year)s")) % {
        "period": str(Period(period).label).upper(),
        "year": plan.year,
    }
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        topMargin=decree30.MARGINS["top"],
        bottomMargin=decree30.MARGINS["bottom"],
        leftMargin=decree30.MARGINS["left"],
        rightMargin=decree30.MARGINS["right"],
        title=title,
        author=plan.authority.name,
        creator="parindex",
        initialFontName=decree30.SERIF,
        initialFontSize=13,
    )
    cell = decree30._style(10, align=TA_LEFT)
    head = decree30._style(10, bold=True)
    picked = (0, 1, 2, 4, 6, 9)  # code, task, lead, deadline, state, percent
    table_rows = [[Paragraph(decree30._escape(header[i]), head) for i in picked]]
    for row in rows:
        texts = ["" if row[i] is None else str(row[i]) for i in picked]
        table_rows.append([Paragraph(decree30._escape(text), cell) for text in texts])
    width = document.width
    table = LongTable(
        table_rows,
        colWidths=[w * width for w in (0.09, 0.37, 0.18, 0.14, 0.13, 0.09)],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, "black"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    heading = decree30.Heading(issuer=plan.authority.name.upper())
    language = message_lang()
    story = [
        decree30._national_heading(heading, decree30.TEXTS[language], width),
        Spacer(1, 8 * mm),
        Paragraph(decree30._escape(title), decree30._style(14, bold=True)),
        Paragraph(decree30._escape(f"{plan.number} {plan.title}".strip()), decree30._style(13)),
        Paragraph(decree30._escape(f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"), decree30._style(13)),
        Spacer(1, 5 * mm),
        table,
    ]
    document.build(story, onFirstPage=decree30._no_number, onLaterPages=decree30._page_number)
    return buffer.getvalue()
