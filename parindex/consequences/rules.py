"""Consequence rules (*hệ quả của kết quả CCHC*) kept as data, and their evaluator.

Seeds 000 and 004 tie the yearly performance rating (*xếp loại mức độ hoàn thành nhiệm vụ*) of
units, their heads and officials to the PAR results and to late dossiers. The rules are a
closed set of declarative conditions, read from YAML by `rules_yaml` (never `eval`):

- `when: {metric: late_rate, op: ">=", value: 0.10}` — a metric of the subject (a unit's for a
  unit or its head, an official's for an official) compared with a number;
- `when: {class_in: [trung_binh, yeu]}` — the unit's class this year is one of these;
- `when: {class_streak: {years: 3, classes: [trung_binh, yeu]}}` — the unit's class was one
  of these in each of the latest `years` years, this year included, with no year missing;
- `ceiling: {class: {tot: xuat_sac, kha: tot, ...}}` — the rating may not exceed the one the
  unit's class maps to;
- `ceiling: {metric: satisfaction, bands: [{min: 0.90, max_rating: xuat_sac}, ...]}` — nor
  the one its metric's band maps to.

A `when` rule lowers the highest rating allowed (`max_rating`) and/or raises a `flag`. The
evaluator is pure: plain values in, `Verdict`s out, `Decimal` comparisons, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from parindex.scoring.messages import Message

MAX_LINEAGE_DEPTH = 20
OPERATORS = (">=", ">", "<=", "<", "==")
SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


class Subject(StrEnum):
    UNIT = "unit"  # the unit (*tập thể, cơ quan, đơn vị*)
    HEAD = "head"  # its head (*người đứng đầu*)
    OFFICIAL = "official"  # an official handling dossiers (*cán bộ, công chức, viên chức*)


class Lineage(StrEnum):
    """How a merged unit's year before the merger is read from its predecessors."""

    WORST = "worst"  # the lowest class among the predecessors found
    MEAN = "mean"  # the class of the mean of their indices (SPEC §2, as for deltas)


# ---------------------------------------------------------------- the rating scale


@dataclass(frozen=True, slots=True)
class Rating:
    code: str
    label: Message


@dataclass(frozen=True, slots=True)
class RatingScale:
    """Ratings from the highest to the lowest."""

    levels: tuple[Rating, ...]

    def position(self, code: str) -> int:
        for index, level in enumerate(self.levels):
            if level.code == code:
                return index
        raise KeyError(code)

    def __contains__(self, code: object) -> bool:
        return any(level.code == code for level in self.levels)

    @property
    def top(self) -> str:
        return self.levels[0].code

    def lower(self, a: str, b: str) -> str:
        """The lower (stricter) of two ratings."""
        return a if self.position(a) >= self.position(b) else b

    def label(self, code: str, lang: str = "vi") -> str:
        return self.levels[self.position(code)].label.render(lang)


DEFAULT_SCALE = RatingScale(
    (
        Rating("xuat_sac", Message("Hoàn thành xuất sắc nhiệm vụ", "Excellently completed")),
        Rating("tot", Message("Hoàn thành tốt nhiệm vụ", "Well completed")),
        Rating("hoan_thanh", Message("Hoàn thành nhiệm vụ", "Completed")),
        Rating("khong_hoan_thanh", Message("Không hoàn thành nhiệm vụ", "Not completed")),
    )
)


# ---------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class MetricCondition:
    metric: str
    op: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class ClassIn:
    classes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClassStreak:
    years: int
    classes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClassCeiling:
    mapping: Mapping[str, str]  # class code → highest rating


@dataclass(frozen=True, slots=True)
class MetricBand:
    min: Decimal  # inclusive
    max_rating: str


@dataclass(frozen=True, slots=True)
class MetricCeiling:
    metric: str
    bands: tuple[MetricBand, ...]  # highest `min` first


Condition = MetricCondition | ClassIn | ClassStreak
Ceiling = ClassCeiling | MetricCeiling


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    subjects: tuple[Subject, ...]
    reason: Message
    when: Condition | None = None
    ceiling: Ceiling | None = None
    max_rating: str | None = None
    flag: str | None = None


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    scale: RatingScale = DEFAULT_SCALE
    lineage: Lineage = Lineage.WORST
    title: str = ""


# ---------------------------------------------------------------- what the rules read


@dataclass(frozen=True, slots=True)
class ClassBand:
    """A class of a year's criteria set (*xếp loại*): index ≥ min."""

    code: str
    label: str
    min: Decimal


@dataclass(frozen=True, slots=True)
class UnitYear:
    """A unit's published result of one year."""

    code: str
    name: str
    class_code: str | None
    index: Decimal


@dataclass(frozen=True, slots=True)
class YearResults:
    """The published results of one year's cycle of the unit group."""

    year: int
    bands: tuple[ClassBand, ...]  # highest `min` first
    units: Mapping[str, UnitYear]

    def label(self, class_code: str | None) -> str:
        for band in self.bands:
            if band.code == class_code:
                return band.label
        return class_code or "—"


@dataclass(frozen=True, slots=True)
class Official:
    key: str  # as the one-stop system names the official
    unit: str  # the unit where the official handled most dossiers
    metrics: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class Situation:
    """Everything the rules read for one cycle: `year` is the cycle's year and must be in
    `history`; the units evaluated are that year's."""

    year: int
    history: tuple[YearResults, ...]
    predecessors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    metrics: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    officials: tuple[Official, ...] = ()


# ---------------------------------------------------------------- what comes out


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str
    text: Message
    facts: Message
    max_rating: str | None = None
    flag: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    subject: Subject
    key: str  # the unit's code, or the official's key
    unit: str  # the unit's code
    name: str  # the unit's or the official's name
    highest: str  # the highest rating allowed
    reasons: tuple[Reason, ...] = ()
    notes: tuple[Message, ...] = ()  # rules that could not be decided, and why

    @property
    def flags(self) -> tuple[Reason, ...]:
        return tuple(reason for reason in self.reasons if reason.flag)

    @property
    def capped(self) -> bool:
        return any(reason.max_rating is not None for reason in self.reasons)


@dataclass(frozen=True, slots=True)
class Lineal:
    """A unit's class in one year, read through its lineage when it did not exist yet."""

    year: int
    class_code: str | None
    label: str
    via: tuple[str, ...] = ()  # the predecessors it was read from; empty: its own


# ---------------------------------------------------------------- evaluating


METRIC_NAMES: dict[str, Message] = {
    "late_rate": Message("tỷ lệ hồ sơ trễ hạn", "late dossiers"),
    "ontime_rate": Message("tỷ lệ hồ sơ đúng hạn", "dossiers on time"),
    "online_rate": Message("tỷ lệ hồ sơ trực tuyến", "dossiers online"),
    "satisfaction": Message("mức độ hài lòng", "satisfaction"),
}


def _percent(value: Decimal, lang: str) -> str:
    text = str((value * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return (text.replace(".", ",") if lang == "vi" else text) + "%"


def _metric_name(name: str) -> Message:
    return METRIC_NAMES.get(name, Message(name, name))


def _compare(value: Decimal, op: str, limit: Decimal) -> bool:
    if op == ">=":
        return value >= limit
    if op == ">":
        return value > limit
    if op == "<=":
        return value <= limit
    if op == "<":
        return value < limit
    return value == limit


class _Evaluator:
    def __init__(self, rules: RuleSet, situation: Situation) -> None:
        self.rules = rules
        self.situation = situation
        self.years = {entry.year: entry for entry in situation.history}
        if situation.year not in self.years:
            raise ValueError(f"no results of {situation.year} in the history")
        self.current = self.years[situation.year]

    # ------------------------------------------------------------ lineage

    def lineal(self, code: str, year: int) -> Lineal | None:
        """The unit's class in `year`: its own this year; before, its own result together with
        those of the predecessors that had one (a predecessor without one is read through its
        own predecessors), combined as the rule set says."""
        results = self.years.get(year)
        if results is None:
            return None
        if year == self.situation.year:
            own = results.units.get(code)
            return (
                None if own is None else Lineal(year, own.class_code, results.label(own.class_code))
            )
        found = self._found(code, results)
        if not found:
            return None
        via = () if found == [code] else tuple(found)
        if len(found) == 1:
            unit = results.units[found[0]]
            return Lineal(year, unit.class_code, results.label(unit.class_code), via)
        class_code = self._combine([results.units[c] for c in found], results.bands)
        return Lineal(year, class_code, results.label(class_code), via)

    def _found(self, code: str, results: YearResults) -> list[str]:
        found = [code] if code in results.units else []
        seen = {code}
        frontier = [code]
        for _depth in range(MAX_LINEAGE_DEPTH):
            following: list[str] = []
            for current in frontier:
                for predecessor in sorted(self.situation.predecessors.get(current, ())):
                    if predecessor in seen:
                        continue
                    seen.add(predecessor)
                    if predecessor in results.units:
                        found.append(predecessor)
                    else:
                        following.append(predecessor)
            if not following:
                break
            frontier = following
        return found

    def _combine(self, units: list[UnitYear], bands: tuple[ClassBand, ...]) -> str | None:
        if self.rules.lineage is Lineage.MEAN:
            mean = sum((u.index for u in units), Decimal(0)) / len(units)
            mean = mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            for band in sorted(bands, key=lambda b: b.min, reverse=True):
                if mean >= band.min:
                    return band.code
            return None
        order = [band.code for band in sorted(bands, key=lambda b: b.min, reverse=True)]
        ranked = [u.class_code for u in units if u.class_code in order]
        if not ranked:
            return None
        return max(ranked, key=lambda c: order.index(c or ""))

    # ------------------------------------------------------------ one rule

    def apply(
        self, rule: Rule, subject: Subject, unit: str, metrics: Mapping[str, Decimal]
    ) -> tuple[Reason | None, Message | None]:
        """The reason the rule gives the subject, or a note when it cannot be decided."""
        if rule.when is not None:
            return self._when(rule, rule.when, unit, metrics)
        assert rule.ceiling is not None
        return self._ceiling(rule, rule.ceiling, unit, metrics)

    def _reason(self, rule: Rule, facts: Message, max_rating: str | None = None) -> Reason:
        return Reason(rule.code, rule.reason, facts, max_rating or rule.max_rating, rule.flag)

    def _when(
        self, rule: Rule, when: Condition, unit: str, metrics: Mapping[str, Decimal]
    ) -> tuple[Reason | None, Message | None]:
        if isinstance(when, MetricCondition):
            value = metrics.get(when.metric)
            name = _metric_name(when.metric)
            if value is None:
                return None, Message(
                    f"{rule.code}: không có số liệu {name.vi}", f"{rule.code}: no {name.en} figure"
                )
            if not _compare(value, when.op, when.value):
                return None, None
            op = SYMBOLS[when.op]
            facts = Message(
                f"{name.vi} {_percent(value, 'vi')} {op} {_percent(when.value, 'vi')}",
                f"{name.en} {_percent(value, 'en')} {op} {_percent(when.value, 'en')}",
            )
            return self._reason(rule, facts), None
        if isinstance(when, ClassIn):
            now = self.lineal(unit, self.situation.year)
            if now is None or now.class_code not in when.classes:
                return None, None
            facts = Message(
                f"xếp loại năm {now.year}: {now.label}", f"class in {now.year}: {now.label}"
            )
            return self._reason(rule, facts), None
        return self._streak(rule, when, unit)

    def _streak(
        self, rule: Rule, when: ClassStreak, unit: str
    ) -> tuple[Reason | None, Message | None]:
        years = range(self.situation.year - when.years + 1, self.situation.year + 1)
        seen = [(year, self.lineal(unit, year)) for year in years]
        missing = [year for year, found in seen if found is None]
        found = [entry for _, entry in seen if entry is not None]
        if any(entry.class_code not in when.classes for entry in found):
            return None, None
        if missing:  # every year known was in the classes: the streak waits on the others
            listed = ", ".join(str(year) for year in missing)
            return None, Message(
                f"{rule.code}: không xét được vì thiếu kết quả năm {listed}",
                f"{rule.code}: cannot be decided, no results for {listed}",
            )
        vi = "; ".join(_year_text(entry, "vi") for entry in found)
        en = "; ".join(_year_text(entry, "en") for entry in found)
        return self._reason(rule, Message(vi, en)), None

    def _ceiling(
        self, rule: Rule, ceiling: Ceiling, unit: str, metrics: Mapping[str, Decimal]
    ) -> tuple[Reason | None, Message | None]:
        if isinstance(ceiling, ClassCeiling):
            now = self.lineal(unit, self.situation.year)
            if now is None or now.class_code is None:
                return None, Message(
                    f"{rule.code}: đơn vị chưa được xếp loại", f"{rule.code}: the unit has no class"
                )
            rating = ceiling.mapping.get(now.class_code)
            if rating is None:
                return None, Message(
                    f"{rule.code}: quy tắc không nói xếp loại {now.label}",
                    f"{rule.code}: the rules say nothing of class {now.label}",
                )
            scale = self.rules.scale
            facts = Message(
                f"xếp loại CCHC năm {now.year}: {now.label} → tối đa {scale.label(rating)}",
                f"PAR class {now.year}: {now.label} → at most {scale.label(rating, 'en')}",
            )
            return self._reason(rule, facts, rating), None
        value = metrics.get(ceiling.metric)
        name = _metric_name(ceiling.metric)
        if value is None:
            return None, Message(
                f"{rule.code}: không có số liệu {name.vi}", f"{rule.code}: no {name.en} figure"
            )
        for band in ceiling.bands:
            if value >= band.min:
                scale = self.rules.scale
                facts = Message(
                    f"{name.vi} {_percent(value, 'vi')} ≥ {_percent(band.min, 'vi')} "
                    f"→ tối đa {scale.label(band.max_rating)}",
                    f"{name.en} {_percent(value, 'en')} ≥ {_percent(band.min, 'en')} "
                    f"→ at most {scale.label(band.max_rating, 'en')}",
                )
                return self._reason(rule, facts, band.max_rating), None
        return None, Message(
            f"{rule.code}: {name.vi} {_percent(value, 'vi')} dưới mọi mức của quy tắc",
            f"{rule.code}: {name.en} {_percent(value, 'en')} is below every band",
        )

    # ------------------------------------------------------------ one subject

    def verdict(
        self, subject: Subject, key: str, unit: str, name: str, metrics: Mapping[str, Decimal]
    ) -> Verdict:
        scale = self.rules.scale
        highest = scale.top
        reasons: list[Reason] = []
        notes: list[Message] = []
        for rule in self.rules.rules:
            if subject not in rule.subjects:
                continue
            reason, note = self.apply(rule, subject, unit, metrics)
            if note is not None:
                notes.append(note)
            if reason is None:
                continue
            if reason.max_rating is not None:
                if reason.max_rating == scale.top and not reason.flag:
                    continue  # a ceiling at the top rating restricts nothing
                highest = scale.lower(highest, reason.max_rating)
            reasons.append(reason)
        return Verdict(subject, key, unit, name, highest, tuple(reasons), tuple(notes))


def _year_text(entry: Lineal, lang: str) -> str:
    if not entry.via:
        return f"{entry.year}: {entry.label}"
    units = ", ".join(entry.via)
    word = "từ" if lang == "vi" else "from"
    return f"{entry.year}: {entry.label} ({word} {units})"


def evaluate(rules: RuleSet, situation: Situation) -> list[Verdict]:
    """Every unit of the year and its head, then every official, each with the highest rating
    allowed and every reason; units in code order, officials by unit then key."""
    evaluator = _Evaluator(rules, situation)
    verdicts: list[Verdict] = []
    for code in sorted(evaluator.current.units):
        unit = evaluator.current.units[code]
        metrics = situation.metrics.get(code, {})
        verdicts.append(evaluator.verdict(Subject.UNIT, code, code, unit.name, metrics))
        verdicts.append(evaluator.verdict(Subject.HEAD, code, code, unit.name, metrics))
    for official in sorted(situation.officials, key=lambda o: (o.unit, o.key)):
        verdicts.append(
            evaluator.verdict(
                Subject.OFFICIAL, official.key, official.unit, official.key, official.metrics
            )
        )
    return verdicts


def lineage_of(rules: RuleSet, situation: Situation, code: str) -> list[Lineal]:
    """The unit's class in every year of the history, through its lineage (for the page)."""
    evaluator = _Evaluator(rules, situation)
    found = [evaluator.lineal(code, year) for year in sorted(evaluator.years)]
    return [entry for entry in found if entry is not None]
