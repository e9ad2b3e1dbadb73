"""The consequences as rows (one per subject, one per reason) and an XLSX over those rows."""

from __future__ import annotations

import io
from collections.abc import Iterator

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from parindex.consequences.rules import Reason, Subject, Verdict
from parindex.consequences.selectors import Line, Report
from parindex.formats.results import neutralise


def subject_label(subject: Subject) -> str:
    return {
        Subject.UNIT: pgettext("consequences subject", "Unit"),
        Subject.HEAD: pgettext("consequences subject", "Head of the unit"),
        Subject.OFFICIAL: pgettext("consequences subject", "Official"),
    }[subject]


def reason_text(reason: Reason, lang: str) -> str:
    return f"[{reason.rule}] {reason.text.render(lang)} — {reason.facts.render(lang)}"


def history_text(line: Line, lang: str) -> str:
    word = "từ" if lang == "vi" else "from"
    parts = []
    for entry in line.history:
        via = f" ({word} {', '.join(entry.via)})" if entry.via else ""
        parts.append(f"{entry.year}: {entry.label}{via}")
    return "; ".join(parts)


def summary_rows(report: Report, lang: str) -> tuple[list[str], Iterator[list[str]]]:
    header = [
        str(_("Subject")),
        str(_("Unit code")),
        str(_("Name")),
        str(_("Highest rating allowed")),
        str(_("Flags")),
        str(_("Reasons")),
        str(_("PAR classes over the years")),
        str(_("Not decided")),
    ]

    def rows() -> Iterator[list[str]]:
        for line in report.lines:
            verdict: Verdict = line.verdict
            yield [
                subject_label(verdict.subject),
                verdict.unit,
                verdict.name,
                report.rules.scale.label(verdict.highest, lang),
                ", ".join(dict.fromkeys(reason.flag or "" for reason in verdict.flags)),
                "\n".join(reason_text(reason, lang) for reason in verdict.reasons),
                history_text(line, lang),
                "\n".join(note.render(lang) for note in verdict.notes),
            ]

    return header, rows()


def reason_rows(report: Report, lang: str) -> tuple[list[str], Iterator[list[str]]]:
    header = [
        str(_("Subject")),
        str(_("Unit code")),
        str(_("Name")),
        str(_("Rule")),
        str(_("Highest rating by this rule")),
        str(_("Flag")),
        str(_("Reason")),
        str(_("Facts")),
    ]

    def rows() -> Iterator[list[str]]:
        scale = report.rules.scale
        for line in report.lines:
            verdict = line.verdict
            for reason in verdict.reasons:
                yield [
                    subject_label(verdict.subject),
                    verdict.unit,
                    verdict.name,
                    reason.rule,
                    scale.label(reason.max_rating, lang) if reason.max_rating else "",
                    reason.flag or "",
                    reason.text.render(lang),
                    reason.facts.render(lang),
                ]

    return header, rows()


def consequences_xlsx(report: Report, lang: str) -> bytes:
    """Two sheets: one row per unit, head and official, then one row per reason."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for title, (header, rows), widths in (
        (_("Consequences"), summary_rows(report, lang), (18, 12, 36, 30, 20, 90, 50, 40)),
        (_("Reasons"), reason_rows(report, lang), (18, 12, 36, 24, 30, 20, 80, 50)),
    ):
        sheet = book.add_worksheet(str(title)[:31])
        sheet.write_string(0, 0, neutralise(report.cycle.title), bold)
        if not report.published:
            sheet.write_string(1, 0, str(_("The results of this cycle are not published yet.")))
        for column, text in enumerate(header):
            sheet.write_string(2, column, text, bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            for column, cell in enumerate(row):
                sheet.write_string(2 + count, column, neutralise(cell), wrap)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        sheet.freeze_panes(3, 0)
        if count:
            sheet.autofilter(2, 0, 2 + count, len(header) - 1)
    book.close()
    return buffer.getvalue()
