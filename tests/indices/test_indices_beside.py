"""The external indices beside the PAR results: the selector's rows and the include's
Vietnamese numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from parindex.indices.selectors import indices_beside
from parindex.indices.services import index_value_save
from tests.indices.conftest import Province

pytestmark = pytest.mark.django_db


@pytest.fixture
def entered(kh: Province) -> Province:
    for year, index, value, rank in [
        (2022, "papi", "42.1", 20),
        (2023, "papi", "44.43", 12),
        (2023, "sipas", "85.32", None),
        (2023, "pdti", "0.4987", 20),
        (2020, "pci", "70", 1),  # outside the years asked
    ]:
        index_value_save(
            authority=kh.authority,
            year=year,
            index=index,
            value=Decimal(value),
            rank=rank,
            ranked_of=63 if rank else None,
            by=kh.secretariat,
        )
    return kh


def test_indices_beside_gives_one_row_per_index_with_a_value_in_the_years(
    entered: Province,
) -> None:
    rows = indices_beside(entered.authority, [2022, 2023])
    assert [row.code for row in rows] == ["sipas", "papi", "pdti"]
    papi = rows[1]
    assert [(c.year, c.value, c.rank, c.ranked_of) for c in papi.cells] == [
        (2022, Decimal("42.1"), 20, 63),
        (2023, Decimal("44.43"), 12, 63),
    ]
    assert [c.value for c in rows[0].cells] == [None, Decimal("85.32")]
    assert indices_beside(entered.authority, []) == []
    assert indices_beside(entered.authority, [2019]) == []
    assert indices_beside(entered.other, [2023]) == []


def test_indices_beside_include_renders_vietnamese_numbers(entered: Province) -> None:
    rows = indices_beside(entered.authority, [2022, 2023])
    with translation.override("vi"):
        html = render_to_string("indices/_beside.html", {"indices_beside": rows})
    assert "Các chỉ số bên ngoài" in html
    assert "44,43" in html and "(12/63)" in html
    assert "42,1" in html and "(20/63)" in html
    assert "85,32%" in html
    assert "0,4987" in html
    assert "—" in html  # SIPAS 2022 missing
    assert "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)" in html
    assert "PCI" not in html
    with translation.override("en"):
        english = render_to_string("indices/_beside.html", {"indices_beside": rows})
    assert "44.43" in english and "External indices" in english


def test_indices_beside_include_renders_nothing_without_values(kh: Province) -> None:
    html = render_to_string("indices/_beside.html", {"indices_beside": []})
    assert html.strip() == ""
