"""Storing, freezing, revising criteria sets and assigning their appraisers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from criteria_factories import (
    DEPARTMENTS_2025,
    SMALL,
    authority,
    member,
    small_set,
    stored,
)

from parindex.criteria.models import CriteriaSetVersion, CriterionNode
from parindex.criteria.services import (
    criteria_appraisers_assign,
    criteria_set_freeze,
    criteria_set_import,
    criteria_set_of,
    criteria_set_revise,
)
from parindex.formats.criteria import read_criteria
from parindex.formats.problems import InputError
from parindex.scoring.model import Node
from parindex.units.models import UnitGroup

pytestmark = pytest.mark.django_db


def appraisers(version: CriteriaSetVersion) -> dict[str, str | None]:
    return {leaf.code: leaf.appraiser for leaf in criteria_set_of(version).leaves()}


def _count(nodes: tuple[Node, ...]) -> int:
    return sum(1 + _count(node.children) for node in nodes)


# ---------------------------------------------------------------- import


def test_an_example_set_is_stored_with_a_row_per_node_in_tree_order() -> None:
    where = authority()
    text = DEPARTMENTS_2025.read_text(encoding="utf-8")
    version = criteria_set_import(authority=where, yaml_text=text)
    criteria = read_criteria(DEPARTMENTS_2025)
    assert version.version == 1 and version.yaml_text == text
    assert criteria_set_of(version) == criteria
    rows = list(version.nodes.order_by("position"))
    assert len(rows) == _count(criteria.nodes)
    assert [r.code for r in rows if r.is_leaf] == [leaf.code for leaf in criteria.leaves()]
    leaf = version.nodes.get(code="1.1.1")
    assert leaf.parent is not None and leaf.parent.code == "1.1"
    assert leaf.parent.parent is not None and leaf.parent.parent.code == "1"
    assert leaf.depth == 2 and leaf.appraiser == "noi_vu" and leaf.rule_type == "choice"
    assert leaf.max_points == Decimal(1) and leaf.evidence_required
    assert version.unit_group.code == "so_nganh"


def test_the_node_rows_are_in_depth_first_order_with_consecutive_positions() -> None:
    version = stored(authority())
    rows = list(version.nodes.order_by("position").values_list("code", "position", "depth"))
    assert rows == [
        ("1", 0, 0),
        ("1.1", 1, 1),
        ("1.1.1", 2, 2),
        ("1.1.2", 3, 2),
        ("1.2", 4, 1),
        ("2", 5, 0),
        ("2.1", 6, 1),
    ]
    parents = dict(version.nodes.values_list("code", "parent__code"))
    assert parents == {
        "1": None, "1.1": "1", "1.1.1": "1.1", "1.1.2": "1.1", "1.2": "1", "2": None, "2.1": "2",
    }  # fmt: skip


def test_importing_the_same_text_again_changes_nothing() -> None:
    where = authority()
    first = stored(where)
    again = stored(where)
    assert again.pk == first.pk
    assert CriteriaSetVersion.objects.count() == 1


def test_importing_another_text_with_the_same_code_makes_the_next_version() -> None:
    where = authority()
    first = stored(where)
    second = stored(where, small_set(**{"title: Tuyên truyền": "title: Tuyên truyền CCHC"}))
    assert (first.version, second.version) == (1, 2)
    assert first.nodes.count() == second.nodes.count() == 7


def test_a_bad_text_stores_nothing_and_lists_every_problem() -> None:
    where = authority()
    bad = small_set(**{"max_points: 5": "max_points: 6", "per: 0.25": "per: 0"})
    with pytest.raises(InputError) as caught:
        criteria_set_import(authority=where, yaml_text=bad, name="bo.yaml")
    rendered = caught.value.render("en")
    assert any(line.startswith("bo.yaml: max_points:") for line in rendered)
    assert any("rule.per" in line for line in rendered)
    assert not CriteriaSetVersion.objects.exists()
    assert not UnitGroup.objects.exists()


def test_text_longer_than_its_column_is_a_problem_not_a_crash() -> None:
    where = authority()
    bad = small_set(**{"appraiser: tu_phap": "appraiser: " + "x" * 65})
    with pytest.raises(InputError) as caught:
        criteria_set_import(authority=where, yaml_text=bad, name="bo.yaml")
    assert caught.value.render("en") == [
        "bo.yaml: nodes[1].children[0].appraiser: longer than 64 characters"
    ]


def test_the_same_code_in_two_authorities_is_two_sets() -> None:
    one, other = stored(authority("a")), stored(authority("b"))
    assert (one.version, other.version) == (1, 1)


# ---------------------------------------------------------------- freeze


def test_freezing_is_idempotent() -> None:
    version = stored(authority())
    frozen = criteria_set_freeze(version=version)
    assert frozen.frozen_at is not None and version.frozen_at == frozen.frozen_at
    again = criteria_set_freeze(version=version)
    assert again.frozen_at == frozen.frozen_at
    version.refresh_from_db()
    assert version.frozen_at == frozen.frozen_at


# ---------------------------------------------------------------- revise


def test_revising_a_draft_replaces_its_text_and_rows_in_place() -> None:
    where = authority()
    version = stored(where)
    user = member(where)
    edited = small_set(
        **{
            "title: Bộ thử năm 2025": "title: Bộ thử năm 2025 (sửa)",
            "unit_group: so_nganh": "unit_group: khoi_moi",
            '- code: "1.2"\n        title: Tuyên': '- code: "1.3"\n        title: Tuyên',
        }
    )
    result = criteria_set_revise(version=version, yaml_text=edited, by=user)
    assert result.pk == version.pk and result.version == 1
    result.refresh_from_db()
    assert result.yaml_text == edited and result.title == "Bộ thử năm 2025 (sửa)"
    assert result.unit_group.code == "khoi_moi" and result.created_by == user
    codes = set(CriterionNode.objects.filter(criteria_set=result).values_list("code", flat=True))
    assert "1.3" in codes and "1.2" not in codes
    assert CriterionNode.objects.count() == 7
    assert CriteriaSetVersion.objects.count() == 1


def test_revising_a_frozen_version_makes_a_new_version_and_leaves_the_old_alone() -> None:
    where = authority()
    version = criteria_set_freeze(version=stored(where))
    edited = small_set(**{"title: Tuyên truyền": "title: Tuyên truyền CCHC"})
    result = criteria_set_revise(version=version, yaml_text=edited, by=member(where))
    assert result.pk != version.pk and result.version == 2 and result.frozen_at is None
    version.refresh_from_db()
    assert version.yaml_text == SMALL and version.nodes.get(code="1.2").title == "Tuyên truyền"
    assert result.nodes.get(code="1.2").title == "Tuyên truyền CCHC"


def test_revising_an_old_frozen_version_numbers_the_new_one_after_the_latest() -> None:
    where = authority()
    first = criteria_set_freeze(version=stored(where))
    stored(where, small_set(**{"title: Báo cáo": "title: Báo cáo định kỳ"}))
    result = criteria_set_revise(
        version=first, yaml_text=small_set(**{"title: Thể chế": "title: Thể chế mới"}), by=None
    )
    assert result.version == 3


def test_revising_with_the_same_text_changes_nothing() -> None:
    where = authority()
    version = criteria_set_freeze(version=stored(where))
    result = criteria_set_revise(version=version, yaml_text=SMALL, by=None)
    assert result.pk == version.pk
    assert CriteriaSetVersion.objects.count() == 1


def test_a_revision_must_keep_the_code_and_be_valid() -> None:
    where = authority()
    version = stored(where)
    with pytest.raises(InputError) as caught:
        criteria_set_revise(
            version=version, yaml_text=small_set(**{"code: THU-2025": "code: KHAC"}), by=None
        )
    assert caught.value.problems[0].path == "code"
    with pytest.raises(InputError):
        criteria_set_revise(version=version, yaml_text="code: [", by=None)
    version.refresh_from_db()
    assert version.yaml_text == SMALL


# ---------------------------------------------------------------- appraisers


def test_a_field_agency_goes_to_every_leaf_below_it() -> None:
    where = authority()
    version = stored(where)
    result = criteria_appraisers_assign(
        version=version, assignments={"1": "van_phong"}, by=member(where)
    )
    assert result.pk == version.pk  # a draft is changed in place
    assert appraisers(result) == {
        "1.1.1": "van_phong",
        "1.1.2": "van_phong",
        "1.2": "van_phong",
        "2.1": "tu_phap",
    }
    assert result.nodes.get(code="1.2").appraiser == "van_phong"


def test_a_leaf_assigned_itself_keeps_its_agency_over_its_field() -> None:
    version = stored(authority())
    result = criteria_appraisers_assign(
        version=version, assignments={"1": "noi_vu", "1.2": "tttt"}, by=None
    )
    assert appraisers(result) == {
        "1.1.1": "noi_vu",
        "1.1.2": "noi_vu",
        "1.2": "tttt",
        "2.1": "tu_phap",
    }


def test_the_nearest_assigned_group_wins_and_an_empty_agency_clears() -> None:
    version = stored(authority())
    result = criteria_appraisers_assign(
        version=version, assignments={"1": "noi_vu", "1.1": "khcn", "2": ""}, by=None
    )
    assert appraisers(result) == {
        "1.1.1": "khcn",
        "1.1.2": "khcn",
        "1.2": "noi_vu",
        "2.1": None,
    }


def test_assigning_through_the_yaml_keeps_it_the_source_of_truth() -> None:
    version = stored(authority())
    result = criteria_appraisers_assign(version=version, assignments={"2.1": "tai_chinh"}, by=None)
    assert "appraiser: tai_chinh" in result.yaml_text
    assert criteria_set_of(result).leaf("2.1").appraiser == "tai_chinh"  # type: ignore[union-attr]
    unchanged = criteria_set_of(result).leaf("1.1.1")
    assert unchanged is not None and unchanged.appraiser == "noi_vu"


def test_assigning_on_a_frozen_version_makes_a_new_version() -> None:
    where = authority()
    version = criteria_set_freeze(version=stored(where))
    result = criteria_appraisers_assign(version=version, assignments={"2": "tai_chinh"}, by=None)
    assert result.version == 2
    assert appraisers(version)["2.1"] == "tu_phap"
    assert appraisers(result)["2.1"] == "tai_chinh"


def test_assigning_what_is_already_there_changes_nothing() -> None:
    version = stored(authority())
    result = criteria_appraisers_assign(
        version=version, assignments={"2": "tu_phap", "1.1.1": "noi_vu"}, by=None
    )
    assert result.pk == version.pk and result.yaml_text == SMALL  # comments kept


def test_assigning_an_unknown_node_or_a_too_long_agency_is_refused() -> None:
    version = stored(authority())
    with pytest.raises(InputError) as caught:
        criteria_appraisers_assign(
            version=version, assignments={"9.9": "noi_vu", "1": "x" * 65}, by=None
        )
    assert [p.path for p in caught.value.problems] == ["9.9", "1"]
    version.refresh_from_db()
    assert version.yaml_text == SMALL
