"""Reading numbers as people write them, and the one rounding rule of the index."""

from __future__ import annotations

import decimal
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from parindex.scoring.messages import ScoringError, msg

# Enough digits that max × n/d and survey means lose nothing that the final rounding could see.
CONTEXT = decimal.Context(
    prec=40,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

_SPACES = re.compile(r"[\s\u00a0\u202f_]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_number(text: str) -> Decimal:
    """`0.25`, `0,25`, `95%`, `1.234,5`, `1,234.5` → Decimal; `%` divides by 100.

    A single kind of mark is the decimal mark (`7,5` and `7.5` are both 7.5); when both
    appear, the last one is the decimal mark and the other groups thousands.
    """
    raw = _SPACES.sub("", text)
    percent = raw.endswith("%")
    if percent:
        raw = raw[:-1]
    if "," in raw and "." in raw:
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        raw = raw.replace(thousands, "").replace(decimal_mark, ".")
    elif raw.count(",") == 1:
        raw = raw.replace(",", ".")
    elif raw.count(",") > 1 or raw.count(".") > 1:
        mark = "," if "," in raw else "."
        raw = raw.replace(mark, "")
    if not _NUMBER.fullmatch(raw):
        raise ScoringError(msg("không phải là số: '{t}'", "not a number: '{t}'", t=text.strip()))
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above rules this out
        raise ScoringError(msg("không phải là số: '{t}'", "not a number: '{t}'", t=text)) from exc
    return number / 100 if percent else number


def quantize(number: Decimal, decimals: int) -> Decimal:
    """Half-up rounding at `decimals` places: the only rounding the engine does."""
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def plain(number: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 0.5, 12, 83.25."""
    text = format(number.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def plain_vi(number: Decimal) -> str:
    """`plain` with the Vietnamese decimal comma: 1,75."""
    return plain(number).replace(".", ",")
