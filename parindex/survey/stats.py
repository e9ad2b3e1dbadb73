"""Survey statistics from the tally (no Django): sample sizes, and per unit, group and question
the number of answers, the mean share and its 95% confidence interval (ADR 0008).

The interval is Student's: mean ± t(0.975, n − 1) · s / √n, with s the sample standard
deviation of the answers' shares, clamped to [0, 1]; none for fewer than two answers. Exact
decimal arithmetic, rounded half-up to four places only when shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from parindex.scoring.model import SurveySpec, SurveyTally

FOUR_PLACES = Decimal("0.0001")

# t(0.975, df) for df = 1..30, to four places; beyond 30 the Cornish-Fisher expansion below.
_T_975 = tuple(
    Decimal(t)
    for t in [
        "12.7062",
        "4.3027",
        "3.1824",
        "2.7764",
        "2.5706",
        "2.4469",
        "2.3646",
        "2.3060",
        "2.2622",
        "2.2281",
        "2.2010",
        "2.1788",
        "2.1604",
        "2.1448",
        "2.1314",
        "2.1199",
        "2.1098",
        "2.1009",
        "2.0930",
        "2.0860",
        "2.0796",
        "2.0739",
        "2.0687",
        "2.0639",
        "2.0595",
        "2.0555",
        "2.0518",
        "2.0484",
        "2.0452",
        "2.0423",
    ]
)
_Z_975 = Decimal("1.959964")


def sample_size(population: int, margin: Decimal) -> int:
    """Yamane's n = N / (1 + N·e²), rounded up: the answers wanted from a population N."""
    if population <= 0:
        return 0
    n = Decimal(population) / (1 + population * margin * margin)
    return int(n.to_integral_value(rounding=ROUND_CEILING))


def t_975(df: int) -> Decimal:
    """The 97.5% quantile of Student's t with `df` degrees of freedom (two-sided 95%)."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df <= len(_T_975):
        return _T_975[df - 1]
    z, v = _Z_975, Decimal(df)
    t = (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
    )
    return t.quantize(FOUR_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class QuestionStat:
    """The answers of one group about one unit to one question."""

    unit: str
    group: str
    question: str
    n: int
    mean: Decimal  # mean share in [0, 1], exact
    low: Decimal | None  # 95% confidence interval, None when n < 2
    high: Decimal | None

    @property
    def half_width(self) -> Decimal | None:
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2


def answer_shares(spec: SurveySpec) -> dict[int | str, Decimal]:
    """Each answer key of the tally → its share of the question's points."""
    if spec.scale is not None:
        low, high = int(spec.scale.min), int(spec.scale.max)
        span = Decimal(high - low)
        return {a: Decimal(a - low) / span for a in range(low, high + 1)}
    return {code: Decimal(share) for code, share in (spec.answers or {}).items()}


def question_stat(
    key: tuple[str, str, str], counts: Mapping[int | str, int], shares: Mapping[int | str, Decimal]
) -> QuestionStat | None:
    """n, mean and interval of one (unit, group, question) from its answer counts."""
    n = sum(count for answer, count in counts.items() if answer in shares)
    if n == 0:
        return None
    total = sum((shares[a] * c for a, c in counts.items() if a in shares), Decimal(0))
    squares = sum((shares[a] * shares[a] * c for a, c in counts.items() if a in shares), Decimal(0))
    mean = total / n
    low: Decimal | None = None
    high: Decimal | None = None
    if n >= 2:
        variance = max(Decimal(0), (squares - n * mean * mean) / (n - 1))
        half = t_975(n - 1) * variance.sqrt() / Decimal(n).sqrt()
        low, high = max(Decimal(0), mean - half), min(Decimal(1), mean + half)
    unit, group, question = key
    return QuestionStat(unit, group, question, n, mean, low, high)


def question_stats(tally: SurveyTally, spec: SurveySpec) -> list[QuestionStat]:
    """Every (unit, group, question) of the tally with at least one answer, sorted."""
    shares = answer_shares(spec)
    found = (question_stat(key, counts, shares) for key, counts in tally.answers.items())
    return sorted(
        (stat for stat in found if stat is not None),
        key=lambda s: (s.unit, s.group, s.question),
    )


def rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(FOUR_PLACES, ROUND_HALF_UP)
