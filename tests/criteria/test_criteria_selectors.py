"""Reading criteria sets: the list per authority, the tree, differences between versions."""

from __future__ import annotations

import pytest
from criteria_factories import (
    COMMUNES_2025,
    DEPARTMENTS_2025,
    authority,
    member,
    small_set,
    stored,
)

from parindex.accounts.models import Role
from parindex.criteria.selectors import (
    FieldChange,
    NodeChange,
    _code_order,
    appraiser_agencies,
    criteria_set_diff,
    criteria_set_list,
    criteria_set_tree,
    criteria_settings_diff,
    criteria_version_previous,
    criteria_version_siblings,
)
from parindex.criteria.services import (
    criteria_appraisers_assign,
    criteria_set_freeze,
    criteria_set_import,
    criteria_set_of,
)
from parindex.formats.criteria import read_criteria

pytestmark = pytest.mark.django_db

CHANGED = small_set(
    **{
        "title: Bộ thử năm 2025": "title: Bộ thử năm 2025 — sửa",
        "{code: kha, label: Khá, min: 0}": "{code: kha, label: Khá, min: 50}",
        "title: Báo cáo\n            max: 1": "title: Báo cáo định kỳ\n            max: 1",
        "rule: {type: deduction, per: 0.25}": "rule: {type: deduction, per: 0.5}",
        '      - code: "1.2"\n        title: Tuyên truyền\n        max: 1\n        source: self\n'
        "        rule: {type: manual, step: 0.25}\n": "",
        'max: 3\n    children:\n      - code: "1.1"': 'max: 3\n    children:\n      - code: "1.3"\n'
        "        title: Đối thoại\n        max: 1\n        source: self\n"
        '        rule: {type: boolean, "yes": 1, "no": 0}\n'
        '      - code: "1.1"',
        "evidence: Quyết định": "evidence: Quyết định ban hành",
    }
)


# ---------------------------------------------------------------- differences


def test_the_diff_lists_added_removed_and_changed_nodes_with_their_fields() -> None:
    where = authority()
    old = stored(where)
    new = stored(where, CHANGED)
    changes = criteria_set_diff(old, new)
    assert changes == [
        NodeChange(
            "1.1.1",
            "changed",
            "Ban hành kế hoạch",
            (FieldChange("evidence", "Quyết định", "Quyết định ban hành"),),
        ),
        NodeChange(
            "1.1.2",
            "changed",
            "Báo cáo định kỳ",
            (
                FieldChange("title", "Báo cáo", "Báo cáo định kỳ"),
                FieldChange("rule", "deduction: 0.25", "deduction: 0.5"),
            ),
        ),
        NodeChange("1.2", "removed", "Tuyên truyền"),
        NodeChange("1.3", "added", "Đối thoại"),
    ]


def test_the_diff_shows_max_source_and_appraiser_changes() -> None:
    where = authority()
    old = stored(where)
    new = criteria_appraisers_assign(
        version=criteria_set_freeze(version=old), assignments={"2": "tai_chinh"}, by=None
    )
    assert criteria_set_diff(old, new) == [
        NodeChange(
            "2.1", "changed", "Văn bản QPPL", (FieldChange("appraiser", "tu_phap", "tai_chinh"),)
        )
    ]
    departments = read_criteria(DEPARTMENTS_2025)
    communes = read_criteria(COMMUNES_2025)
    changes = {c.code: c for c in criteria_set_diff(departments, communes)}
    fields = {f.field for f in changes["1"].fields}
    assert "max" in fields


def test_the_settings_diff_lists_the_set_level_keys_that_changed() -> None:
    where = authority()
    assert criteria_settings_diff(stored(where), stored(where, CHANGED)) == [
        FieldChange("title", "Bộ thử năm 2025", "Bộ thử năm 2025 — sửa"),
        FieldChange(
            "classes",
            "[{code: tot, label: Tốt, min: 90}; {code: kha, label: Khá, min: 0}]",
            "[{code: tot, label: Tốt, min: 90}; {code: kha, label: Khá, min: 50}]",
        ),
    ]


def test_a_version_compared_with_itself_has_no_difference() -> None:
    version = stored(authority())
    assert criteria_set_diff(version, version) == []
    assert criteria_settings_diff(version, version) == []


def test_codes_are_compared_in_natural_order() -> None:
    codes = ["B", "1.10", "10", "1.2", "2", "1", "1.2.1"]
    assert sorted(codes, key=_code_order) == ["1", "1.2", "1.2.1", "1.10", "2", "10", "B"]


# ---------------------------------------------------------------- lists and the tree


def test_the_list_has_the_users_authorities_with_their_sets_newest_version_first(
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    where, other = authority("son-la"), authority("lai-chau", "UBND tỉnh Lai Châu")
    stored(where)
    stored(where, CHANGED)
    criteria_set_import(authority=where, yaml_text=DEPARTMENTS_2025.read_text(encoding="utf-8"))
    stored(other)
    viewer = member(where, Role.FOCAL_POINT)
    with django_assert_num_queries(3):
        sections = criteria_set_list(user=viewer)
    assert [s.authority.code for s in sections] == ["son-la"]
    assert not sections[0].can_manage
    sets = sections[0].sets
    assert [s.code for s in sets] == ["DEMO-SO-2025", "THU-2025"]
    assert [v.version for v in sets[1].versions] == [2, 1]
    assert sets[1].latest.version == 2
    assert criteria_set_list(user=member(where, Role.SYSTEM_ADMIN))[0].can_manage


def test_someone_of_no_authority_lists_nothing() -> None:
    stored(authority())
    assert criteria_set_list(user=member(authority("khac"), Role.LEADER))[0].sets == []


def test_the_tree_gives_each_field_its_rows_with_rules_in_one_line() -> None:
    criteria = read_criteria(DEPARTMENTS_2025)
    fields = criteria_set_tree(criteria)
    assert [f.node.code for f in fields] == [n.code for n in criteria.nodes]
    first = fields[0]
    assert first.rows[0].node.code == "1.1" and first.rows[0].depth == 1
    assert first.rows[1].node.code == "1.1.1" and first.rows[1].depth == 2
    assert first.rows[1].rule.startswith("choice: dung_han=1")
    bonus = next(f for f in fields if f.node.code == "B")
    assert bonus.rows == [] and bonus.rule.startswith("manual")
    assert first.leaf_count == len(criteria.nodes[0].leaves())


def test_siblings_previous_version_and_agencies() -> None:
    where = authority()
    first = stored(where)
    second = stored(where, CHANGED)
    departments = criteria_set_import(
        authority=where, yaml_text=DEPARTMENTS_2025.read_text(encoding="utf-8")
    )
    assert criteria_version_previous(version=second) == first
    assert criteria_version_previous(version=first) is None
    assert [v.pk for v in criteria_version_siblings(version=second)] == [first.pk, departments.pk]
    member(where, Role.APPRAISER, agency="sxd")
    agencies = appraiser_agencies(authority=where, criteria=criteria_set_of(first))
    assert agencies == ["noi_vu", "sxd", "tu_phap"]
