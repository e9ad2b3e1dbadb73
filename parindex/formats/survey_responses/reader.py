"""Reading the values of a survey export: answers, units, groups and times, each row accepted
or rejected with every reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from parindex.formats.answers import _answer_keys, _tally
from parindex.formats.dates import parse_datetime
from parindex.formats.problems import InputError, Problem
from parindex.formats.survey_responses.columns import (
    _BAD,
    _GROUP,
    _ID,
    _LINE,
    _OUTPUT,
    _TIME,
    _UNIT,
    _UTC_NAIVE,
    _UTC_OFFSET,
    _WHOLE,
    _ZONE,
    ColumnMap,
    _norm,
)
from parindex.formats.survey_responses.frames import (
    _read_frame,
)
from parindex.scoring.messages import Message, ScoringError, msg
from parindex.scoring.model import SurveySpec, SurveyTally

# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Rejection:
    """A rejected row: its file line (CSV, header = 1) or sheet row (XLSX), and why."""

    line: int
    response_id: str
    reasons: tuple[Message, ...]


@dataclass(frozen=True)
class ResponseBatch:
    """The accepted responses of one file (`frame`) and the rejected rows."""

    frame: pl.DataFrame  # response_id, unit, group, submitted_at, line, then question codes
    questions: tuple[str, ...]
    rejections: tuple[Rejection, ...]
    total: int  # data rows read; blank rows are not counted

    def tally(self, spec: SurveySpec) -> SurveyTally:
        """The accepted answers counted as `answers.read_answers` counts them."""
        keys = _answer_keys(spec)
        groups = [group.code for group in spec.groups]
        index_of = {str(key): index for index, key in enumerate(keys)}
        accepted = self.frame.select(
            pl.col("unit"),
            pl.col("group")
            .replace_strict(
                {code: index for index, code in enumerate(groups)},
                default=None,
                return_dtype=pl.Int64,
            )
            .alias("__g"),
            *(
                _answer_index(question, spec, index_of).alias(f"__a{i}")
                for i, question in enumerate(self.questions)
            ),
        ).filter(pl.col("__g").is_not_null())
        answers, responses = _tally(accepted, groups, list(self.questions), keys)
        return SurveyTally(
            answers=answers,
            responses=responses,
            accepted=self.frame.height,
            rejected=len(self.rejections),
        )

    def rejection_rows(self, lang: str) -> list[list[str]]:
        """A header and one row per rejection, for a downloadable CSV report."""
        rows = [["line", "response_id", "reasons"]]
        rows.extend(
            [str(r.line), r.response_id, "; ".join(m.render(lang) for m in r.reasons)]
            for r in self.rejections
        )
        return rows


def _answer_index(question: str, spec: SurveySpec, index_of: dict[str, int]) -> pl.Expr:
    """An answer code read into its index among `_answer_keys(spec)` (null when none)."""
    if spec.scale is not None:
        index = pl.col(question).cast(pl.Int64, strict=False) - spec.scale.min
        size = spec.scale.max - spec.scale.min
        return pl.when((index >= 0) & (index <= size)).then(index.cast(pl.UInt32))
    return pl.col(question).replace_strict(index_of, default=None, return_dtype=pl.UInt32)


# ---------------------------------------------------------------- reading the values


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    """How the values of a file are read into codes."""

    spec: SurveySpec
    labels: Mapping[str, str]  # normalised label → answer code
    answer_codes: Mapping[str, str]  # casefolded named answer code → code
    units: frozenset[str]
    unit_values: Mapping[str, str]  # normalised value → unit code
    unit_codes: Mapping[str, str]  # casefolded unit code → code
    groups: Mapping[str, str]  # normalised group code or label → group code


def _vocabulary(
    spec: SurveySpec,
    labels: Mapping[str, str] | None,
    columns: ColumnMap,
    units: Collection[str],
    groups: Collection[str],
) -> _Vocabulary:
    group_names: dict[str, str] = {}
    for group in spec.groups:
        if group.code in groups:
            group_names[_norm(group.label)] = group.code
    group_names.update({_norm(code): code for code in groups})
    return _Vocabulary(
        spec=spec,
        labels={_norm(label): code for label, code in (labels or {}).items()},
        answer_codes={_norm(code): code for code in spec.answers or {}},
        units=frozenset(units),
        unit_values={_norm(value): code for value, code in columns.unit_values.items()},
        unit_codes={_norm(code): code for code in units},
        groups=group_names,
    )


def _answer_code(text: str, words: _Vocabulary) -> str | None:
    """The answer code written as `text` (a code, not a label), or None."""
    scale = words.spec.scale
    if scale is not None:
        whole = _WHOLE.fullmatch(text)
        if whole is None:
            return None
        number = int(whole.group(1))
        return str(number) if scale.min <= number <= scale.max else None
    return words.answer_codes.get(_norm(text))


def _answer(value: str, words: _Vocabulary) -> str | None:
    """An answer cell read: its code, None when empty, `_BAD` when unreadable."""
    text = value.strip()
    if not text:
        return None
    code = _answer_code(text, words)
    if code is None:
        label = words.labels.get(_norm(text))
        code = _answer_code(label, words) if label is not None else None
    return _BAD if code is None else code


def _unit(value: str, words: _Vocabulary) -> str:
    key = _norm(value)
    code = words.unit_values.get(key)
    if code is None:
        code = value if value in words.units else words.unit_codes.get(key)
    return code if code is not None and code in words.units else _BAD


def _group(value: str, words: _Vocabulary) -> str:
    return words.groups.get(_norm(value), _BAD)


def _moment(text: str) -> dt.datetime | None:
    """A date and time as naive UTC, or None when unreadable."""
    offset = dt.timedelta(0)
    zoned = _ZONE.fullmatch(text)
    if zoned is not None:
        text, zone = zoned.group(1), zoned.group(2)
        if zone.upper() != "Z":
            digits = zone[1:].replace(":", "")
            minutes = int(digits[:2]) * 60 + (int(digits[2:]) if len(digits) > 2 else 0)
            offset = dt.timedelta(minutes=minutes if zone[0] == "+" else -minutes)
    try:
        return parse_datetime(text) - offset
    except (ScoringError, OverflowError):
        return None


def _distinct(frame: pl.DataFrame, names: list[str]) -> dict[str, list[str]]:
    """The distinct non-null values of each column."""
    if not names:
        return {}
    row = frame.select(pl.col(name).drop_nulls().unique().implode() for name in names).row(0)
    return dict(zip(names, row, strict=True))


def _mapped(name: str, lookup: dict[str, str | None], alias: str) -> pl.Expr:
    return (
        pl.col(name)
        .replace_strict(list(lookup), list(lookup.values()), default=None, return_dtype=pl.String)
        .alias(alias)
    )


def _read_values(
    frame: pl.DataFrame, questions: list[str], words: _Vocabulary, fixed_group: str
) -> pl.DataFrame:
    """Adds `__u`, `__g`, `__t` and `__a{i}`: the unit, group, time and answers read (`_BAD`
    or a null time where unreadable)."""
    text = [c for c in (_ID, _UNIT, _GROUP, _TIME) if c in frame.columns]
    frame = frame.with_columns(
        pl.when(pl.col(c).str.strip_chars().str.len_bytes() > 0)
        .then(pl.col(c).str.strip_chars())
        .alias(c)
        for c in text
    )
    answers = [f"__q{i}" for i in range(len(questions))]
    distinct = _distinct(frame, [c for c in (_UNIT, _GROUP) if c in frame.columns] + answers)
    exprs = [_mapped(_UNIT, {v: _unit(v, words) for v in distinct[_UNIT]}, "__u")]
    if _GROUP in frame.columns:
        exprs.append(_mapped(_GROUP, {v: _group(v, words) for v in distinct[_GROUP]}, "__g"))
    else:
        exprs.append(pl.lit(fixed_group, pl.String).alias("__g"))
    exprs.extend(
        _mapped(q, {v: _answer(v, words) for v in distinct[q]}, f"__a{i}")
        for i, q in enumerate(answers)
    )
    frame = frame.with_columns(exprs)
    return frame.with_columns(_times(frame))


def _times(frame: pl.DataFrame) -> pl.Series:
    """`__t`: the submission times as naive UTC; the common ISO shapes are read by polars, the
    rest one distinct value at a time."""
    if _TIME not in frame.columns:
        return pl.Series("__t", [None] * frame.height, dtype=pl.Datetime("us"))
    text = frame[_TIME]
    zoned = text.str.to_datetime(_UTC_OFFSET, strict=False, time_unit="us")
    plain = text.str.to_datetime(_UTC_NAIVE, strict=False, time_unit="us")
    parsed = pl.select(pl.coalesce(zoned.dt.replace_time_zone(None), plain)).to_series()
    left = text.filter(text.is_not_null() & parsed.is_null()).unique()
    if left.len():
        lookup = {value: _moment(value) for value in left.to_list()}
        slow = text.replace_strict(
            list(lookup), list(lookup.values()), default=None, return_dtype=pl.Datetime("us")
        )
        parsed = pl.select(pl.coalesce(parsed, slow)).to_series()
    return parsed.alias("__t")


# ---------------------------------------------------------------- accepting and rejecting


def _flagged(frame: pl.DataFrame, questions: list[str], seen: Collection[str]) -> pl.DataFrame:
    """The non-blank rows, with `__dup`, `__seen`, `__badtime` and `__rejected`."""
    rid = pl.col(_ID)
    answers = [pl.col(f"__a{i}") for i in range(len(questions))]
    raw = [pl.col(c) for c in (_ID, _UNIT, _GROUP, _TIME) if c in frame.columns]
    blank = ~pl.any_horizontal(
        *(c.is_not_null() for c in raw), *(a.is_not_null() for a in answers), pl.lit(False)
    )
    known = pl.Series(list(seen), dtype=pl.String).implode()
    bad_time = pl.col(_TIME).is_not_null() & pl.col("__t").is_null()
    return (
        frame.lazy()
        .filter(~blank)
        .with_columns(
            (rid.is_not_null() & ~rid.is_first_distinct()).alias("__dup"),
            rid.is_in(known).fill_null(False).alias("__seen"),
            (bad_time if _TIME in frame.columns else pl.lit(False)).alias("__badtime"),
        )
        .with_columns(
            pl.any_horizontal(
                rid.is_null(),
                pl.col("__dup"),
                pl.col("__seen"),
                pl.col("__u").is_null() | (pl.col("__u") == _BAD),
                pl.col("__g").is_null() | (pl.col("__g") == _BAD),
                pl.col("__badtime"),
                *((a == _BAD).fill_null(False) for a in answers),
            ).alias("__rejected")
        )
        .collect()
    )


def _answer_hint(spec: SurveySpec, labels: bool) -> tuple[str, str]:
    if spec.scale is not None:
        vi = f"không phải là số nguyên từ {spec.scale.min} đến {spec.scale.max}"
        en = f"is not a whole number from {spec.scale.min} to {spec.scale.max}"
    else:
        codes = ", ".join(spec.answers or {})
        vi, en = f"không phải là một phương án trả lời ({codes})", f"is not an answer ({codes})"
    if labels:
        return f"{vi} hay nhãn của phương án", f"{en} nor an answer label"
    return vi, en


def _row_reasons(
    row: dict[str, Any], questions: list[str], first_lines: Mapping[str, int], hint: tuple[str, str]
) -> list[Message]:
    reasons: list[Message] = []
    rid = row[_ID]
    if rid is None:
        reasons.append(msg("thiếu mã phiếu (response_id)", "the response id is empty"))
    elif row["__dup"]:
        reasons.append(
            msg(
                "mã phiếu {r} đã có ở dòng {l}",
                "response id {r} already on line {l}",
                r=rid,
                l=first_lines[rid],
            )
        )
    if row["__seen"]:
        reasons.append(
            msg("mã phiếu {r} đã được nhập trước đây", "response id {r} already imported", r=rid)
        )
    if row[_UNIT] is None:
        reasons.append(msg("thiếu đơn vị", "the unit is empty"))
    elif row["__u"] == _BAD:
        reasons.append(msg("đơn vị '{u}' không có", "unknown unit '{u}'", u=row[_UNIT]))
    if row.get(_GROUP, "") is None:
        reasons.append(msg("thiếu nhóm người trả lời", "the group is empty"))
    elif row["__g"] == _BAD:
        reasons.append(msg("nhóm '{g}' không có", "unknown group '{g}'", g=row[_GROUP]))
    if row["__badtime"]:
        reasons.append(
            msg(
                "không đọc được thời điểm gửi '{t}'",
                "cannot read the submission time '{t}'",
                t=row[_TIME],
            )
        )
    for i, question in enumerate(questions):
        if row[f"__a{i}"] == _BAD:
            value = row[f"__q{i}"].strip()
            reasons.append(
                Message(f"{question}: '{value}' {hint[0]}", f"{question}: '{value}' {hint[1]}")
            )
    return reasons


def _rejections(
    frame: pl.DataFrame, questions: list[str], spec: SurveySpec, labels: bool
) -> tuple[Rejection, ...]:
    if not frame["__rejected"].any():
        return ()
    shown = [_ID, _UNIT, _GROUP, _TIME, _LINE, "__u", "__g", "__dup", "__seen", "__badtime"]
    shown += [f"__{kind}{i}" for i in range(len(questions)) for kind in "qa"]
    rejected = (
        frame.lazy()
        .filter(pl.col("__rejected"))
        .select(c for c in shown if c in frame.columns)
        .collect()
    )
    repeated = rejected.filter(pl.col("__dup"))[_ID].unique().implode()
    first_lines: dict[str, int] = dict(
        frame.lazy()
        .filter(pl.col(_ID).is_in(repeated) & ~pl.col("__dup"))
        .select(_ID, _LINE)
        .collect()
        .iter_rows()
    )
    hint = _answer_hint(spec, labels)
    return tuple(
        Rejection(
            row[_LINE], row[_ID] or "", tuple(_row_reasons(row, questions, first_lines, hint))
        )
        for row in rejected.iter_rows(named=True)
    )


def _accepted(frame: pl.DataFrame, questions: list[str]) -> pl.DataFrame:
    return (
        frame.lazy()
        .filter(~pl.col("__rejected"))
        .select(
            pl.col(_ID).alias("response_id"),
            pl.col("__u").alias("unit"),
            pl.col("__g").alias("group"),
            pl.col("__t").alias("submitted_at"),
            pl.col(_LINE).cast(pl.Int64).alias("line"),
            *(pl.col(f"__a{i}").alias(q) for i, q in enumerate(questions)),
        )
        .collect()
    )


# ---------------------------------------------------------------- the reader


def _setup_problems(
    display: str,
    columns: ColumnMap,
    spec: SurveySpec,
    questions: Collection[str],
    groups: list[str],
) -> list[Problem]:
    """Problems of the call itself: the survey, the fixed group, the mapped names."""

    def problem(vi: str, en: str, **params: object) -> Problem:
        return Problem(display, msg(vi, en, **params))

    problems: list[Problem] = []
    if spec.scale is None and not spec.answers:
        problems.append(
            problem("phần survey không có scale hay answers", "the survey has no scale or answers")
        )
    if columns.fixed_group and columns.fixed_group not in groups:
        problems.append(
            problem("nhóm {g} không có", "unknown fixed group {g}", g=columns.fixed_group)
        )
    if not columns.fixed_group and not columns.group.strip():
        problems.append(problem("chưa chọn cột nhóm", "no group column and no fixed group"))
    for name, label in (("response_id", columns.response_id), ("unit", columns.unit)):
        if not label.strip():
            problems.append(problem("chưa chọn cột {c}", "no column chosen for {c}", c=name))
    clashes = sorted(set(questions) & set(_OUTPUT))
    if clashes:
        problems.append(
            problem("mã câu hỏi trùng tên cột: {q}", "question code(s) clash: {q}", q=clashes)
        )
    return problems


def read_responses(
    data: bytes,
    display: str,
    *,
    columns: ColumnMap,
    questions: Collection[str],
    spec: SurveySpec,
    labels: Mapping[str, str] | None = None,
    units: Collection[str],
    groups: Collection[str] | None = None,
    seen: Collection[str] = (),
) -> ResponseBatch:
    """The accepted responses of a survey export and its rejected rows.

    `labels` maps an answer label to its code; `units` are the known unit codes; `groups`
    the known group codes (None: the spec's); `seen` the response ids already stored. A broken
    file raises InputError with every problem found.
    """
    group_codes = [g.code for g in spec.groups] if groups is None else list(groups)
    problems = _setup_problems(display, columns, spec, questions, group_codes)
    if problems:
        raise InputError(problems)
    frame, present = _read_frame(data, display, columns, questions)
    words = _vocabulary(spec, labels, columns, units, group_codes)
    flagged = _flagged(_read_values(frame, present, words, columns.fixed_group), present, seen)
    if flagged.height == 0:
        raise InputError(
            [Problem(display, msg("tệp không có phiếu nào", "the file holds no responses"))]
        )
    return ResponseBatch(
        frame=_accepted(flagged, present),
        questions=tuple(present),
        rejections=_rejections(flagged, present, spec, bool(labels)),
        total=flagged.height,
    )
