"""Entering and correcting an external index value: scales, ranks, reasons, history, roles."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parindex.indices.errors import IndexValueError
from parindex.indices.models import IndexValue, IndexValueChange
from parindex.indices.services import index_value_save
from tests.indices.conftest import Province

pytestmark = pytest.mark.django_db


def test_indices_a_new_value_is_kept_with_its_creation_in_the_history(kh: Province) -> None:
    saved = index_value_save(
        authority=kh.authority,
        year=2023,
        index="papi",
        value=Decimal("44.43"),
        rank=12,
        ranked_of=63,
        source="Báo cáo PAPI 2023",
        by=kh.secretariat,
    )
    assert (saved.value, saved.rank, saved.ranked_of) == (Decimal("44.43"), 12, 63)
    change = IndexValueChange.objects.get()
    assert change.old == {}
    assert change.new == {
        "value": "44.43",
        "rank": 12,
        "ranked_of": 63,
        "source": "Báo cáo PAPI 2023",
        "note": "",
    }
    assert change.by == kh.secretariat


def test_indices_a_correction_keeps_who_when_old_new_and_why(kh: Province) -> None:
    index_value_save(
        authority=kh.authority, year=2023, index="sipas", value=Decimal("85.3"), by=kh.secretariat
    )
    index_value_save(
        authority=kh.authority,
        year=2023,
        index="sipas",
        value=Decimal("85.32"),
        rank=5,
        ranked_of=63,
        reason="Số liệu chính thức của Bộ Nội vụ",
        by=kh.admin,
    )
    value = IndexValue.objects.get()
    assert value.value == Decimal("85.32")
    last = value.changes.order_by("-pk").first()
    assert last is not None
    assert last.old["value"] == "85.3" and last.new["value"] == "85.32"
    assert (last.old["rank"], last.new["rank"], last.new["ranked_of"]) == (None, 5, 63)
    assert last.reason == "Số liệu chính thức của Bộ Nội vụ"
    assert last.by == kh.admin and last.at is not None
    assert value.changes.count() == 2


def test_indices_a_correction_needs_a_reason_and_a_change(kh: Province) -> None:
    args = {"authority": kh.authority, "year": 2022, "index": "pci", "by": kh.secretariat}
    index_value_save(value=Decimal("65.43"), **args)
    with pytest.raises(IndexValueError, match="lý do"):
        index_value_save(value=Decimal("66"), **args)
    with pytest.raises(IndexValueError, match="Không có gì thay đổi"):
        index_value_save(value=Decimal("65.4300"), reason="lại", **args)
    assert IndexValue.objects.get().value == Decimal("65.43")
    assert IndexValueChange.objects.count() == 1


@pytest.mark.parametrize(
    ("index", "value"),
    [
        ("papi", "80.01"),
        ("pci", "100.5"),
        ("ict_index", "1.01"),
        ("pdti", "-0.1"),
        ("sipas", "101"),
    ],
)
def test_indices_a_value_outside_its_scale_is_refused(kh: Province, index: str, value: str) -> None:
    with pytest.raises(IndexValueError):
        index_value_save(
            authority=kh.authority, year=2023, index=index, value=Decimal(value), by=kh.secretariat
        )
    assert not IndexValue.objects.exists()


@pytest.mark.parametrize(("rank", "ranked_of"), [(64, 63), (None, 63), (0, 63)])
def test_indices_a_rank_must_fit_the_number_ranked(
    kh: Province, rank: int | None, ranked_of: int
) -> None:
    with pytest.raises(IndexValueError):
        index_value_save(
            authority=kh.authority,
            year=2023,
            index="pci",
            value=Decimal("60"),
            rank=rank,
            ranked_of=ranked_of,
            by=kh.secretariat,
        )


def test_indices_an_unknown_index_is_refused(kh: Province) -> None:
    with pytest.raises(IndexValueError):
        index_value_save(
            authority=kh.authority, year=2023, index="hdi", value=Decimal("0.7"), by=kh.secretariat
        )


@pytest.mark.parametrize("who", ["leader", "chair", "focal", "other_secretariat"])
def test_indices_only_the_secretariat_or_the_administrator_enters_values(
    kh: Province, who: str
) -> None:
    with pytest.raises(IndexValueError, match="Chỉ bộ phận thường trực"):
        index_value_save(
            authority=kh.authority,
            year=2023,
            index="pci",
            value=Decimal("60"),
            by=getattr(kh, who),
        )
    assert not IndexValue.objects.exists()
