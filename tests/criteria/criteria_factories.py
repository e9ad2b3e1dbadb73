"""Builders of the criteria tests: example sets, small sets, members of an authority."""

from __future__ import annotations

from pathlib import Path

from django.test import Client

from parindex.accounts.models import Role, User
from parindex.criteria.models import CriteriaSetVersion
from parindex.criteria.services import criteria_set_import
from parindex.units.models import Authority
from tests.factories import AuthorityFactory, MembershipFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEPARTMENTS_2025 = EXAMPLES / "2025" / "departments.yaml"
COMMUNES_2025 = EXAMPLES / "2025" / "communes.yaml"

SMALL = """\
# Bộ nhỏ để thử
code: THU-2025
title: Bộ thử năm 2025
year: 2025
unit_group: so_nganh
max_points: 5
classes:
  - {code: tot, label: Tốt, min: 90}
  - {code: kha, label: Khá, min: 0}
nodes:
  - code: "1"
    title: Chỉ đạo điều hành
    max: 3
    children:
      - code: "1.1"
        title: Kế hoạch
        max: 2
        children:
          - code: "1.1.1"
            title: Ban hành kế hoạch
            max: 1
            source: self
            appraiser: noi_vu
            evidence: Quyết định
            rule:
              type: choice
              options:
                - {code: dung_han, label: Đúng hạn, points: 1}
                - {code: cham, label: Chậm, points: 0.5}
          - code: "1.1.2"
            title: Báo cáo
            max: 1
            source: self
            appraiser: noi_vu
            rule: {type: deduction, per: 0.25}
      - code: "1.2"
        title: Tuyên truyền
        max: 1
        source: self
        rule: {type: manual, step: 0.25}
  - code: "2"
    title: Thể chế
    max: 2
    children:
      - code: "2.1"
        title: Văn bản QPPL
        max: 2
        source: self
        appraiser: tu_phap
        rule: {type: ratio, zero_denominator: full}
"""


def small_set(**replacements: str) -> str:
    text = SMALL
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def authority(code: str = "son-la", name: str = "UBND tỉnh Sơn La") -> Authority:
    found: Authority = AuthorityFactory(code=code, name=name)
    return found


def stored(where: Authority, yaml_text: str = SMALL) -> CriteriaSetVersion:
    return criteria_set_import(authority=where, yaml_text=yaml_text)


def member(where: Authority, role: Role = Role.SECRETARIAT, **extra: object) -> User:
    user: User = MembershipFactory(authority=where, role=role, **extra).user
    return user


def signed_in(client: Client, where: Authority, role: Role = Role.SECRETARIAT) -> User:
    user = member(where, role)
    client.force_login(user)
    return user
