"""The questionnaire as data: options, questions, the draft from a criteria set, and the rules
both file readers apply (`questionnaire_problems`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, TypeVar

from parindex.formats.problems import Problem
from parindex.scoring.messages import Message, ScoringError, msg
from parindex.scoring.model import CriteriaSet, Node, SurveyRule, SurveySpec
from parindex.scoring.survey import answer_share

T = TypeVar("T")
Found = list[tuple[str | None, Message]]  # (key path, message) before it becomes a Problem

LIKERT_5 = {
    5: "Rất hài lòng",
    4: "Hài lòng",
    3: "Bình thường",
    2: "Không hài lòng",
    1: "Rất không hài lòng",
}
DEFAULT_INTRO = (
    "Xin ông/bà vui lòng cho biết ý kiến về các nội dung dưới đây. Thông tin ông/bà cung cấp"
    " chỉ dùng để đánh giá công tác cải cách hành chính và được giữ bí mật."
)
YES = frozenset({"có", "co", "x", "yes", "1", "true"})
NO = frozenset({"không", "khong", "no", "0", "false", ""})


# ================================================================ the questionnaire


def normalise_label(text: str) -> str:
    """A label as compared: NFC, casefolded, stripped, inner spaces collapsed."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return unicodedata.normalize("NFC", " ".join(folded.split()))


@dataclass(frozen=True, slots=True)
class AnswerOption:
    """One answer a question may take; `share` of the question's points, from the set."""

    code: str
    label: str
    share: Decimal


@dataclass(frozen=True, slots=True)
class QuestionText:
    code: str
    text: str
    section: str = ""
    required: bool = False


@dataclass(frozen=True, slots=True)
class PersonalField:
    """Identifying data asked of the respondent (usually none: store the least)."""

    code: str
    label: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """A questionnaire (*phiếu khảo sát*) of one criteria set for one respondent group."""

    code: str
    title: str
    group: str
    intro: str
    options: tuple[AnswerOption, ...]  # the same for every question, best first
    questions: tuple[QuestionText, ...]
    personal: tuple[PersonalField, ...] = ()

    def option(self, code: str) -> AnswerOption | None:
        for option in self.options:
            if option.code == code:
                return option
        folded = normalise_label(code)
        for option in self.options:
            if normalise_label(option.code) == folded:
                return option
        return None

    def label_codes(self) -> dict[str, str]:
        """Normalised label → code, and each code (as is and normalised) → itself.

        Used to read exports that write the option's label instead of its code; a code wins
        over a label that reads the same (the checker forbids that anyway)."""
        codes = {normalise_label(o.label): o.code for o in self.options}
        for option in self.options:
            codes[normalise_label(option.code)] = option.code
            codes[option.code] = option.code
        return codes


# ================================================================ from the set


def answer_options(spec: SurveySpec) -> tuple[AnswerOption, ...]:
    """The set's answers, best first: a scale's integers with Likert labels, or named answers."""
    if spec.scale is not None:
        low, high = spec.scale.min, spec.scale.max
        likert = (low, high) == (1, 5)
        return tuple(
            AnswerOption(str(n), LIKERT_5[n] if likert else f"Mức {n}", _share(spec, str(n)))
            for n in range(high, low - 1, -1)
        )
    named = (spec.answers or {}).items()
    ranked = sorted(named, key=lambda item: item[1], reverse=True)  # stable: ties keep set order
    return tuple(AnswerOption(code, code, share) for code, share in ranked)


def _share(spec: SurveySpec, code: str) -> Decimal:
    """The share an option code earns by the set; 0 for a code the set does not know."""
    if spec.scale is not None:
        level = _whole(code)
        share = answer_share(spec, level) if level is not None else None
    else:
        share = answer_share(spec, code)
    return share if share is not None else Decimal(0)


def _whole(text: str) -> int | None:
    return int(text) if re.fullmatch(r"-?\d+", text.strip()) else None


def _feeds(rule: SurveyRule, group: str, spec: SurveySpec) -> bool:
    if rule.groups:
        return group in rule.groups
    return spec.group(group) is not None


def _group_leaves(criteria: CriteriaSet, group: str) -> list[tuple[Node, Node, SurveyRule]]:
    """(top-level node, leaf, rule) of every survey leaf that `group` answers, in leaf order."""
    spec = criteria.survey
    if spec is None:
        return []
    found: list[tuple[Node, Node, SurveyRule]] = []
    for top in criteria.nodes:
        for leaf in top.leaves():
            if isinstance(leaf.rule, SurveyRule) and _feeds(leaf.rule, group, spec):
                found.append((top, leaf, leaf.rule))
    return found


def _used_questions(criteria: CriteriaSet, group: str) -> dict[str, list[str]]:
    """Question code → the leaves of `group` that use it, in order of first use."""
    used: dict[str, list[str]] = {}
    for _, leaf, rule in _group_leaves(criteria, group):
        for question in rule.questions:
            used.setdefault(question, []).append(leaf.code)
    return used


def draft_questionnaire(criteria: CriteriaSet, group: str) -> Questionnaire:
    """A starting questionnaire for `group`: every question its survey leaves use.

    Raises ScoringError when the set has no survey or the group is not one of its groups."""
    spec = criteria.survey
    if spec is None:
        raise ScoringError(_no_survey(criteria))
    respondents = spec.group(group)
    if respondents is None:
        raise ScoringError(_unknown_group(group, spec))
    questions: dict[str, QuestionText] = {}
    for top, leaf, rule in _group_leaves(criteria, group):
        for code in rule.questions:
            if code not in questions:
                text = spec.questions.get(code) or leaf.title
                questions[code] = QuestionText(code, text.strip(), top.title)
    return Questionnaire(
        code=f"{criteria.code}-{group}",
        title=f"Phiếu khảo sát ý kiến — {respondents.label} ({criteria.year})",
        group=group,
        intro=DEFAULT_INTRO,
        options=answer_options(spec),
        questions=tuple(questions.values()),
    )


def questionnaire_leaves(q: Questionnaire, criteria: CriteriaSet) -> dict[str, tuple[str, ...]]:
    """Each question of `q` → the codes of the survey leaves it feeds for `q.group`."""
    used = _used_questions(criteria, q.group)
    return {question.code: tuple(used.get(question.code, ())) for question in q.questions}


# ================================================================ the rules


def questionnaire_problems(q: Questionnaire, criteria: CriteriaSet, display: str) -> list[Problem]:
    """Every way `q` does not fit `criteria`, each at its key path inside the questionnaire."""
    return [Problem(display, message, path=path) for path, message in _check(q, criteria)]


def _check(q: Questionnaire, criteria: CriteriaSet) -> Found:
    found = _head_problems(q)
    spec = criteria.survey
    if spec is None:
        found.append((None, _no_survey(criteria)))
    elif spec.group(q.group) is None:
        found.append(("group", _unknown_group(q.group, spec)))
    if spec is not None:
        found += _option_problems(q.options, spec)
    found += _label_problems(q.options)
    found += _question_problems(q.questions)
    if spec is not None and spec.group(q.group) is not None:
        found += _usage_problems(q, _used_questions(criteria, q.group))
    found += _personal_problems(q.personal, {question.code for question in q.questions})
    return found


def _no_survey(criteria: CriteriaSet) -> Message:
    return msg(
        "bộ tiêu chí {c} không có mục điều tra xã hội học (survey)",
        "the criteria set {c} has no survey section",
        c=criteria.code,
    )


def _unknown_group(group: str, spec: SurveySpec) -> Message:
    return msg(
        "không có nhóm đối tượng '{g}' trong bộ tiêu chí (một trong: {a})",
        "unknown respondent group '{g}' (one of: {a})",
        g=group,
        a=", ".join(g.code for g in spec.groups),
    )


def _head_problems(q: Questionnaire) -> Found:
    found: Found = []
    if not q.code.strip():
        found.append(("code", msg("thiếu mã phiếu", "the questionnaire has no code")))
    if not q.title.strip():
        found.append(("title", msg("thiếu tiêu đề phiếu", "the questionnaire has no title")))
    return found


def _duplicates(codes: Iterable[str], name: str, field: str, what: Message) -> Found:
    """A problem at `name[i].field` for each code already seen at an earlier index."""
    seen: dict[str, int] = {}
    found: Found = []
    for i, code in enumerate(codes):
        if not code:
            continue
        if code in seen:
            found.append(
                (
                    f"{name}[{i}].{field}",
                    Message(
                        f"{what.vi} '{code}' bị trùng (đã có ở {name}[{seen[code]}])",
                        f"duplicate {what.en} '{code}' (first at {name}[{seen[code]}])",
                    ),
                )
            )
        else:
            seen[code] = i
    return found


def _option_problems(options: tuple[AnswerOption, ...], spec: SurveySpec) -> Found:
    if spec.scale is not None:
        expected = [str(n) for n in range(spec.scale.max, spec.scale.min - 1, -1)]
        known = Message(
            f"thang đo {spec.scale.min}–{spec.scale.max}",
            f"the scale {spec.scale.min}–{spec.scale.max}",
        )
    else:
        expected = list(spec.answers or {})
        known = Message(
            f"các phương án {', '.join(expected)}", f"the answers {', '.join(expected)}"
        )
    codes = [o.code for o in options]
    found: Found = []
    for i, code in enumerate(codes):
        if code not in expected:
            found.append(
                (
                    f"options[{i}].code",
                    Message(
                        f"đáp án '{code}' không thuộc {known.vi}",
                        f"option '{code}' is not in {known.en}",
                    ),
                )
            )
    found += _duplicates(codes, "options", "code", Message("mã đáp án", "option code"))
    missing = [code for code in expected if code not in codes]
    if missing:
        found.append(
            (
                "options",
                msg(
                    "thiếu đáp án: {m}",
                    "option(s) missing: {m}",
                    m=", ".join(missing),
                ),
            )
        )
    return found


def _label_problems(options: tuple[AnswerOption, ...]) -> Found:
    found: Found = []
    code_of = {normalise_label(o.code): o.code for o in options}
    labels = [normalise_label(o.label) for o in options]
    for i, (option, label) in enumerate(zip(options, labels, strict=True)):
        path = f"options[{i}].label"
        if not label:
            found.append((path, msg("thiếu nhãn đáp án", "the option has no label")))
        elif code_of.get(label, option.code) != option.code:
            found.append(
                (
                    path,
                    msg(
                        "nhãn '{l}' trùng với mã của đáp án '{c}'",
                        "label '{l}' reads as the code of option '{c}'",
                        l=option.label,
                        c=code_of[label],
                    ),
                )
            )
    found += _duplicates(labels, "options", "label", Message("nhãn đáp án", "option label"))
    return found


def _question_problems(questions: tuple[QuestionText, ...]) -> Found:
    found: Found = []
    for i, question in enumerate(questions):
        if not question.code.strip():
            found.append((f"questions[{i}].code", msg("thiếu mã câu hỏi", "no question code")))
        if not question.text.strip():
            found.append(
                (f"questions[{i}].text", msg("nội dung câu hỏi rỗng", "the question has no text"))
            )
    codes = [question.code for question in questions]
    found += _duplicates(codes, "questions", "code", Message("câu hỏi", "question"))
    return found


def _usage_problems(q: Questionnaire, used: dict[str, list[str]]) -> Found:
    found: Found = []
    for i, question in enumerate(q.questions):
        if question.code and question.code not in used:
            found.append(
                (
                    f"questions[{i}].code",
                    msg(
                        "câu hỏi '{c}' không được tiêu chí điều tra nào của nhóm '{g}' sử dụng",
                        "no survey leaf of group '{g}' uses question '{c}'",
                        c=question.code,
                        g=q.group,
                    ),
                )
            )
    present = {question.code for question in q.questions}
    for code, leaves in used.items():
        if code not in present:
            found.append(
                (
                    "questions",
                    msg(
                        "thiếu câu hỏi '{c}' (tiêu chí {l} sử dụng)",
                        "question '{c}' is missing (used by {l})",
                        c=code,
                        l=", ".join(leaves),
                    ),
                )
            )
    return found


def _personal_problems(fields: tuple[PersonalField, ...], questions: set[str]) -> Found:
    found: Found = []
    for i, field in enumerate(fields):
        if not field.code.strip():
            found.append((f"personal[{i}].code", msg("thiếu mã", "no code")))
        elif field.code in questions:
            found.append(
                (
                    f"personal[{i}].code",
                    msg(
                        "mã '{c}' trùng với mã một câu hỏi",
                        "code '{c}' is also a question code",
                        c=field.code,
                    ),
                )
            )
        if not field.label.strip():
            found.append((f"personal[{i}].label", msg("thiếu nhãn", "no label")))
    codes = [field.code for field in fields]
    found += _duplicates(codes, "personal", "code", Message("thông tin", "field"))
    return found


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def _merge(structural: Found, checked: Found) -> Found:
    """The structural problems, then each checked one whose path (or a parent) has none."""
    taken = {path for path, _ in structural if path}

    def covered(path: str) -> bool:
        while path:
            if path in taken:
                return True
            path = _parent(path)
        return False

    return structural + [(p, m) for p, m in checked if p is None or not covered(p)]


def _with_shares(q: Questionnaire, criteria: CriteriaSet) -> Questionnaire:
    spec = criteria.survey
    if spec is None:
        return q
    options = tuple(replace(o, share=_share(spec, o.code)) for o in q.options)
    return replace(q, options=options)


def _flag(value: Any) -> bool | None:
    """có/không and the like as a bool; None when the value is neither."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = normalise_label(str(value))
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def _not_a_flag() -> Message:
    return msg("phải là có hoặc không", "must be yes or no (có/không)")


# ================================================================ YAML
