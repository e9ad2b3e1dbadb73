#!/usr/bin/env python3
"""Write the example input files of parindex from the example criteria sets.

    python examples/generate.py            # rewrites every CSV (and the 2024 results) in place

For each criteria set listed in SETS this reads the YAML and writes, beside it:

    <prefix>-units.csv     code,name,group,type,parent,valid_from,valid_to,predecessors
    <prefix>-values.csv    unit,code,value,note   (self, data overrides, bonus and penalty leaves)
    <prefix>-answers.csv   response_id,unit,group,submitted_at,<question codes>
    <prefix>-metrics.csv   unit,metric,value

Everything is deterministic (a fixed random seed per set) and uses only the standard library
plus PyYAML, so the data always match the sets: change a set, run this again.

Each unit gets one "quality" when it is generated (a target share of the points, drawn from a
normal distribution and shuffled over the units). Every value, survey answer and metric of the
unit is drawn around that quality, so the same units do well everywhere and the ranking looks
believable. A few things are placed on purpose and reported when the script runs:

- the strongest unit has 10–12.5% late dossiers, so the `late_rate` cap lowers its class;
- one unit has fewer survey responses than `survey.min_sample` (status `low_sample`);
- a few leaves are `NA` (not applicable) and a few rows are left out (status `missing`);
- one `data` leaf gets a direct value in the values file, which wins over the metrics file.

The data are illustrative; so are the criteria sets (see examples/README.md).
"""

from __future__ import annotations

import csv
import itertools
import json
import random
import statistics
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PROVINCE = ("SON_LA", "Ủy ban nhân dân tỉnh Sơn La", "tinh", "tinh", "", "", "", "")


# --------------------------------------------------------------------------------------------
# Configuration of the four example sets
# --------------------------------------------------------------------------------------------


@dataclass
class SetConfig:
    yaml_path: str  # relative to examples/
    prefix: str  # file prefix in the same folder
    units: list[tuple[str, ...]]  # (code, name, type, valid_from, valid_to, predecessors)
    group: str  # unit group (must match the set's unit_group)
    quality_mean: float  # mean target share of points
    quality_sd: float
    laggard: bool = False  # push the weakest unit further down
    groups: dict[str, tuple[int, int]] = field(default_factory=dict)  # responses per group
    group_bias: dict[str, float] = field(default_factory=dict)  # survey mood of a group
    survey_window: tuple[str, str] = ("2014-03-01", "2014-05-31")
    online_range: tuple[float, float] = (0.0, 0.15)
    na: dict[str, float] = field(default_factory=dict)  # leaf code -> chance of NA
    zero_denominator: dict[str, float] = field(default_factory=dict)  # leaf -> chance of 0/0
    denominators: dict[str, tuple[int, int]] = field(default_factory=dict)
    direct_data: dict[str, str] = field(default_factory=dict)  # data leaf -> note
    missing_rows: int = 3
    missing_metric: tuple[str, str] | None = None  # (unit rank from bottom, metric) to omit
    previous: str | None = None  # file name of a previous-year results JSON to write
    previous_units: list[tuple[str, str]] = field(default_factory=list)


SON_LA_DEPARTMENTS = [
    ("SO_NV", "Sở Nội vụ", "so", "", "", ""),
    ("SO_TP", "Sở Tư pháp", "so", "", "", ""),
    ("SO_TC", "Sở Tài chính", "so", "", "", ""),
    ("SO_KHDT", "Sở Kế hoạch và Đầu tư", "so", "", "", ""),
    ("SO_CT", "Sở Công Thương", "so", "", "", ""),
    ("SO_NNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", "so", "", "", ""),
    ("SO_TNMT", "Sở Tài nguyên và Môi trường", "so", "", "", ""),
    ("SO_XD", "Sở Xây dựng", "so", "", "", ""),
    ("SO_GTVT", "Sở Giao thông vận tải", "so", "", "", ""),
    ("SO_GDDT", "Sở Giáo dục và Đào tạo", "so", "", "", ""),
    ("SO_YT", "Sở Y tế", "so", "", "", ""),
    ("SO_VHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "so", "", "", ""),
    ("SO_LDTBXH", "Sở Lao động - Thương binh và Xã hội", "so", "", "", ""),
    ("SO_KHCN", "Sở Khoa học và Công nghệ", "so", "", "", ""),
    ("SO_TTTT", "Sở Thông tin và Truyền thông", "so", "", "", ""),
    ("SO_NGV", "Sở Ngoại vụ", "so", "", "", ""),
    ("TTR", "Thanh tra tỉnh", "thanh_tra", "", "", ""),
    ("VP_UBND", "Văn phòng UBND tỉnh", "van_phong", "", "", ""),
    ("BAN_DT", "Ban Dân tộc", "ban", "", "", ""),
]

SON_LA_DISTRICTS = [
    ("TP_SON_LA", "Thành phố Sơn La", "thanh_pho", "2008-09-03", "", ""),
    ("H_MOC_CHAU", "Huyện Mộc Châu", "huyen", "", "", ""),
    ("H_VAN_HO", "Huyện Vân Hồ", "huyen", "2013-06-10", "", ""),
    ("H_YEN_CHAU", "Huyện Yên Châu", "huyen", "", "", ""),
    ("H_MAI_SON", "Huyện Mai Sơn", "huyen", "", "", ""),
    ("H_SONG_MA", "Huyện Sông Mã", "huyen", "", "", ""),
    ("H_SOP_COP", "Huyện Sốp Cộp", "huyen", "", "", ""),
    ("H_THUAN_CHAU", "Huyện Thuận Châu", "huyen", "", "", ""),
    ("H_QUYNH_NHAI", "Huyện Quỳnh Nhai", "huyen", "", "", ""),
    ("H_MUONG_LA", "Huyện Mường La", "huyen", "", "", ""),
    ("H_BAC_YEN", "Huyện Bắc Yên", "huyen", "", "", ""),
    ("H_PHU_YEN", "Huyện Phù Yên", "huyen", "", "", ""),
]

# Departments after the 2025 reorganisation: a code that continues keeps its code and lists
# the departments merged into it; a new department gets a new code and lists all of them.
DEPARTMENTS_2025 = [
    ("VP_UBND", "Văn phòng UBND tỉnh", "van_phong", "", "", ""),
    ("SO_NV", "Sở Nội vụ", "so", "", "", "SO_LDTBXH"),
    ("SO_TP", "Sở Tư pháp", "so", "", "", ""),
    ("SO_TC", "Sở Tài chính", "so", "", "", "SO_KHDT"),
    ("SO_CT", "Sở Công Thương", "so", "", "", ""),
    ("SO_NNMT", "Sở Nông nghiệp và Môi trường", "so", "2025-03-01", "", "SO_NNPTNT;SO_TNMT"),
    ("SO_XD", "Sở Xây dựng", "so", "", "", "SO_GTVT"),
    ("SO_KHCN", "Sở Khoa học và Công nghệ", "so", "", "", "SO_TTTT"),
    ("SO_GDDT", "Sở Giáo dục và Đào tạo", "so", "", "", ""),
    ("SO_YT", "Sở Y tế", "so", "", "", ""),
    ("SO_VHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "so", "", "", ""),
    ("SO_DTTG", "Sở Dân tộc và Tôn giáo", "so", "2025-03-01", "", "BAN_DT"),
    ("SO_NGV", "Sở Ngoại vụ", "so", "", "", ""),
    ("TTR", "Thanh tra tỉnh", "thanh_tra", "", "", ""),
    ("BQL_KCN", "Ban Quản lý các khu công nghiệp tỉnh", "ban", "", "", ""),
]

DEPARTMENTS_2024 = [  # the units of the 2024 results (before the mergers)
    ("VP_UBND", "Văn phòng UBND tỉnh"),
    ("SO_NV", "Sở Nội vụ"),
    ("SO_TP", "Sở Tư pháp"),
    ("SO_TC", "Sở Tài chính"),
    ("SO_KHDT", "Sở Kế hoạch và Đầu tư"),
    ("SO_CT", "Sở Công Thương"),
    ("SO_NNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("SO_TNMT", "Sở Tài nguyên và Môi trường"),
    ("SO_XD", "Sở Xây dựng"),
    ("SO_GTVT", "Sở Giao thông vận tải"),
    ("SO_KHCN", "Sở Khoa học và Công nghệ"),
    ("SO_TTTT", "Sở Thông tin và Truyền thông"),
    ("SO_GDDT", "Sở Giáo dục và Đào tạo"),
    ("SO_YT", "Sở Y tế"),
    ("SO_VHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("SO_LDTBXH", "Sở Lao động - Thương binh và Xã hội"),
    ("BAN_DT", "Ban Dân tộc"),
    ("SO_NGV", "Sở Ngoại vụ"),
    ("TTR", "Thanh tra tỉnh"),
    ("BQL_KCN", "Ban Quản lý các khu công nghiệp tỉnh"),
]

# Commune-level units from 1 July 2025. Names follow Sơn La; the predecessor lists (codes of
# the former wards P_, towns TT_ and communes X_) are illustrative, not the official lineage.
COMMUNES_2025 = [
    (
        "PHUONG_TO_HIEU",
        "Phường Tô Hiệu",
        "phuong",
        "2025-07-01",
        "",
        "P_TO_HIEU;P_QUYET_THANG;P_QUYET_TAM",
    ),
    (
        "PHUONG_CHIENG_AN",
        "Phường Chiềng An",
        "phuong",
        "2025-07-01",
        "",
        "P_CHIENG_AN;P_CHIENG_LE;X_CHIENG_XOM",
    ),
    (
        "PHUONG_CHIENG_COI",
        "Phường Chiềng Cơi",
        "phuong",
        "2025-07-01",
        "",
        "P_CHIENG_COI;X_HUA_LA;X_CHIENG_CO",
    ),
    (
        "PHUONG_CHIENG_SINH",
        "Phường Chiềng Sinh",
        "phuong",
        "2025-07-01",
        "",
        "P_CHIENG_SINH;X_CHIENG_NGAN",
    ),
    ("PHUONG_MOC_CHAU", "Phường Mộc Châu", "phuong", "2025-07-01", "", "TT_MOC_CHAU;X_MUONG_SANG"),
    ("XA_MAI_SON", "Xã Mai Sơn", "xa", "2025-07-01", "", "TT_HAT_LOT;X_HAT_LOT;X_CO_NOI"),
    (
        "XA_CHIENG_MUNG",
        "Xã Chiềng Mung",
        "xa",
        "2025-07-01",
        "",
        "X_CHIENG_MUNG;X_MUONG_BANG;X_CHIENG_MAI",
    ),
    ("XA_YEN_CHAU", "Xã Yên Châu", "xa", "2025-07-01", "", "TT_YEN_CHAU;X_VIENG_LAN"),
    (
        "XA_THUAN_CHAU",
        "Xã Thuận Châu",
        "xa",
        "2025-07-01",
        "",
        "TT_THUAN_CHAU;X_CHIENG_PHA;X_TONG_LANH",
    ),
    ("XA_PHU_YEN", "Xã Phù Yên", "xa", "2025-07-01", "", "TT_PHU_YEN;X_HUY_BAC;X_HUY_THUONG"),
    ("XA_SONG_MA", "Xã Sông Mã", "xa", "2025-07-01", "", "TT_SONG_MA;X_NA_NGHIU"),
    ("XA_MUONG_GIANG", "Xã Mường Giàng", "xa", "2025-07-01", "", ""),
    ("XA_VAN_HO", "Xã Vân Hồ", "xa", "2025-07-01", "", ""),
    ("XA_SOP_COP", "Xã Sốp Cộp", "xa", "2025-07-01", "", ""),
    ("XA_BAC_YEN", "Xã Bắc Yên", "xa", "2025-07-01", "", "TT_BAC_YEN;X_PHIENG_BAN"),
]

SETS = [
    SetConfig(
        yaml_path="son-la-2014/departments.yaml",
        prefix="departments",
        units=SON_LA_DEPARTMENTS,
        group="so_nganh",
        quality_mean=0.75,
        quality_sd=0.075,
        groups={"lanh_dao": (8, 12), "cbccvc": (22, 30), "nguoi_dan_dn": (30, 38)},
        group_bias={"lanh_dao": 0.02, "cbccvc": 0.05, "nguoi_dan_dn": -0.03},
        survey_window=("2014-03-10", "2014-05-30"),
        online_range=(0.0, 0.14),
        na={"5.2.1": 0.25, "6.3.3": 0.35, "8.3.1": 0.4},
        zero_denominator={"2.1.1": 0.2, "3.2.1": 0.15, "6.2.1": 0.2, "8.3.2": 0.3},
        denominators={
            "2.1.1": (1, 5),
            "3.2.1": (5, 40),
            "6.2.1": (1, 8),
            "1.5.1": (3, 10),
            "8.3.2": (5, 60),
            "8.2.2": (1, 25),
            "7.3.2": (10, 60),
        },
        direct_data={"1.1.3": "Sở Nội vụ thẩm định lại tỷ lệ hoàn thành kế hoạch"},
        missing_rows=3,
    ),
    SetConfig(
        yaml_path="son-la-2014/districts.yaml",
        prefix="districts",
        units=SON_LA_DISTRICTS,
        group="huyen",
        quality_mean=0.76,
        quality_sd=0.085,
        laggard=True,
        groups={
            "lanh_dao": (6, 10),
            "cbccvc": (15, 20),
            "dai_bieu_hdnd": (10, 15),
            "nguoi_dan_dn": (30, 35),
        },
        group_bias={"lanh_dao": 0.0, "cbccvc": 0.04, "dai_bieu_hdnd": -0.02, "nguoi_dan_dn": -0.04},
        survey_window=("2014-03-15", "2014-06-15"),
        online_range=(0.0, 0.08),
        na={"5.2.1": 0.2, "8.3.3": 0.5},
        zero_denominator={"2.1.2": 0.15, "2.2.3": 0.3, "8.3.2": 0.1},
        denominators={
            "1.1.4": (7, 25),
            "3.2.2": (7, 25),
            "8.4.1": (7, 25),
            "6.1.1": (10, 14),
            "6.2.1": (40, 120),
            "2.1.2": (1, 4),
            "8.1.4": (150, 260),
            "1.5.1": (3, 10),
        },
        missing_rows=2,
        missing_metric=(4, "online_rate"),
    ),
    SetConfig(
        yaml_path="2025/departments.yaml",
        prefix="departments",
        units=DEPARTMENTS_2025,
        group="so_nganh",
        quality_mean=0.88,
        quality_sd=0.085,
        groups={
            "lanh_dao": (10, 14),
            "cbccvc": (20, 26),
            "nguoi_dan": (22, 28),
            "to_chuc": (8, 12),
        },
        group_bias={"lanh_dao": 0.0, "cbccvc": 0.05, "nguoi_dan": 0.02, "to_chuc": -0.03},
        survey_window=("2025-10-01", "2025-11-20"),
        online_range=(0.45, 0.98),
        na={"6.1.1": 0.4, "3.4.3": 0.35},
        zero_denominator={"2.1.1": 0.2, "3.2.1": 0.15, "6.2.1": 0.25},
        denominators={
            "2.1.1": (1, 6),
            "3.2.1": (5, 60),
            "6.2.1": (1, 6),
            "1.4.1": (8, 40),
            "8.1.1": (4, 12),
            "3.4.1": (20, 180),
            "3.3.2": (1, 40),
        },
        missing_rows=3,
        previous="departments-2024-results.json",
        previous_units=DEPARTMENTS_2024,
    ),
    SetConfig(
        yaml_path="2025/communes.yaml",
        prefix="communes",
        units=COMMUNES_2025,
        group="xa",
        quality_mean=0.86,
        quality_sd=0.08,
        laggard=True,
        groups={"can_bo": (8, 12), "nguoi_dan": (24, 34), "to_chuc": (6, 10)},
        group_bias={"can_bo": 0.06, "nguoi_dan": 0.0, "to_chuc": -0.04},
        survey_window=("2025-10-15", "2025-12-05"),
        online_range=(0.2, 0.85),
        na={"2.1.1": 0.45, "3.4.3": 0.3},
        zero_denominator={"4.2.2": 0.3, "3.4.2": 0.1},
        denominators={
            "2.1.1": (1, 3),
            "7.3.2": (20, 90),
            "4.2.2": (1, 8),
            "1.4.1": (6, 20),
            "8.1.1": (8, 20),
            "3.4.2": (10, 120),
            "3.3.2": (1, 30),
        },
        direct_data={"1.1.2": "Số liệu Sở Nội vụ thẩm định, thay số liệu hệ thống"},
        missing_rows=2,
    ),
]

NOTES = {
    "cham": ["Ban hành chậm so với hướng dẫn", "Gửi chậm 15 ngày"],
    "deduction": ["{n} trường hợp theo kết luận kiểm tra", "{n} báo cáo gửi chậm"],
    "na": ["Không phát sinh trong năm", "Không có nhiệm vụ này"],
    "appraisal": [
        "Thẩm định: điều chỉnh giảm do thiếu tài liệu kiểm chứng",
        "Thẩm định: giữ nguyên điểm tự chấm",
        "Tài liệu kiểm chứng bổ sung khi giải trình",
    ],
}


# --------------------------------------------------------------------------------------------
# Reading a set
# --------------------------------------------------------------------------------------------


def num(x: object) -> Decimal:
    """A YAML number or percent as Decimal (`95%` → 0.95)."""
    s = str(x).strip().replace(",", ".")
    if s.endswith("%"):
        return Decimal(s[:-1]) / 100
    return Decimal(s)


def is_percent(x: object) -> bool:
    return str(x).strip().endswith("%")


def leaves_of(nodes: list[dict]) -> list[dict]:
    out: list[dict] = []
    for n in nodes:
        if "kind" in n:
            continue
        if "children" in n:
            out.extend(leaves_of(n["children"]))
        else:
            out.append(n)
    return out


def rule_of(rule: dict, key: str) -> object:
    """`yes`/`no` keys may be read by PyYAML as booleans unless quoted; accept both."""
    if key in rule:
        return rule[key]
    return rule[{"yes": True, "no": False}[key]]


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


def fmt_dec(d: Decimal, rng: random.Random, comma: float = 0.5) -> str:
    """A plain number, sometimes with a Vietnamese decimal comma."""
    text = format(d.normalize(), "f")
    if "." in text and rng.random() < comma:
        text = text.replace(".", ",")
    return text


def fmt_rate(r: Decimal, rng: random.Random) -> str:
    """A rate written the way spreadsheets carry it: `97%`, `97,5%`, `0,975` or `0.975`."""
    style = rng.random()
    if style < 0.5:
        pct = (r * 100).quantize(Decimal("0.1"), ROUND_HALF_UP).normalize()
        return fmt_dec(pct, rng, comma=0.6) + "%"
    frac = r.quantize(Decimal("0.001"), ROUND_HALF_UP).normalize()
    return fmt_dec(frac, rng, comma=0.6 if style < 0.8 else 0.0)


def pick_level(levels: list[Decimal], target: Decimal, rng: random.Random) -> Decimal:
    """One of `levels`, chosen so that its expected value is `target` (randomised rounding)."""
    lv = sorted(set(levels))
    if target <= lv[0]:
        return lv[0]
    if target >= lv[-1]:
        return lv[-1]
    for lo, hi in itertools.pairwise(lv):
        if lo <= target <= hi:
            return hi if rng.random() < float((target - lo) / (hi - lo)) else lo
    return lv[-1]


def bracket_value(rule: dict, points: Decimal, rng: random.Random) -> str:
    """A raw number that falls in the bracket paying `points` (0: below every bracket)."""
    brackets = rule["brackets"]
    mins = [num(b["min"]) for b in brackets]
    percent = any(is_percent(b["min"]) for b in brackets)
    top, bottom = mins[0], mins[-1]
    idx = next((i for i, b in enumerate(brackets) if num(b["points"]) == points), None)
    if idx is None:  # below all brackets
        lo, hi = max(Decimal(0), bottom - (top - bottom) - Decimal("0.05")), bottom
        hi_open = True
    elif idx == 0:
        if percent:
            lo, hi = (
                top,
                min(Decimal(1), 2 * top - bottom if len(mins) > 1 else top + Decimal("0.1")),
            )
        else:
            upper = Decimal(100) if top >= 50 else 2 * top - bottom + 1
            lo, hi = top, max(top, upper)
        hi_open = False
    else:
        lo, hi = mins[idx], mins[idx - 1]
        hi_open = True
    if percent:
        step = Decimal("0.001")
        span = int((hi - lo) / step) - (1 if hi_open else 0)
        r = lo + step * rng.randint(0, max(span, 0))
        if idx == 0 and top == 1:
            r = Decimal(1)
        return fmt_rate(r, rng)
    if top >= 50:  # a score out of 100, with one decimal
        step = Decimal("0.1")
        span = int((hi - lo) / step) - (1 if hi_open else 0)
        return fmt_dec(lo + step * rng.randint(0, max(span, 0)), rng)
    hi_int = int(hi) - (1 if hi_open else 0)
    return str(rng.randint(int(lo), max(int(lo), hi_int)))


def leaf_value(leaf: dict, share: float, cfg: SetConfig, rng: random.Random) -> tuple[str, str]:
    """(value, note) for a self leaf, aiming at `share` of its max."""
    rule = leaf["rule"]
    mx = num(leaf["max"])
    target = (Decimal(str(share)) * mx).quantize(Decimal("0.0001"))
    kind = rule["type"]
    note = ""
    if kind == "choice":
        opts = rule["options"]
        pts = pick_level([num(o["points"]) for o in opts], target, rng)
        code = rng.choice([o["code"] for o in opts if num(o["points"]) == pts])
        if code == "cham" and rng.random() < 0.5:
            note = rng.choice(NOTES["cham"])
        return code, note
    if kind == "boolean":
        yes, no = num(rule_of(rule, "yes")), num(rule_of(rule, "no"))
        val = pick_level([yes, no], target, rng) == yes
        words = rng.choices([("có", "không"), ("yes", "no"), ("1", "0")], [6, 2, 1])[0]
        return (words[0] if val else words[1]), note
    if kind == "brackets":
        levels = [num(b["points"]) for b in rule["brackets"]] + [Decimal(0)]
        return bracket_value(rule, pick_level(levels, target, rng), rng), note
    if kind == "ratio":
        code = leaf["code"]
        if rng.random() < cfg.zero_denominator.get(code, 0.0):
            return "0/0", rng.choice(NOTES["na"])
        lo, hi = cfg.denominators.get(code, (4, 30))
        d = rng.randint(lo, hi)
        n = int(Decimal(d) * Decimal(str(min(1.0, max(0.0, share)))) + Decimal(str(rng.random())))
        return f"{min(n, d)}/{d}", note
    if kind == "deduction":
        per = num(rule["per"])
        k_max = int(mx / per)
        levels = [mx - per * k for k in range(k_max + 1)]
        pts = pick_level(levels, target, rng)
        count = int((mx - pts) / per)
        if count and rng.random() < 0.4:
            note = rng.choice(NOTES["deduction"]).format(n=f"{count:02d}")
        return str(count), note
    if kind == "manual":
        step = num(rule["step"])
        levels = [step * k for k in range(int(mx / step) + 1)]
        return fmt_dec(pick_level(levels, target, rng), rng), note
    raise ValueError(f"no value for rule {kind}")


def extra_value(node: dict, quality: float, rng: random.Random) -> tuple[str, str]:
    """Bonus (good units, sometimes) and penalty (rare, weaker units) values."""
    rule = node["rule"]
    if node["kind"] == "bonus":
        step = num(rule["step"])
        if quality > 0.5 and rng.random() < quality:
            pts = step * rng.randint(1, int(num(node["max"]) / step) - 1)
            return fmt_dec(pts, rng), "Sáng kiến được Hội đồng sáng kiến tỉnh công nhận"
        return "0", ""
    bad = quality < 0.35 and rng.random() < 0.55
    if rule["type"] == "choice":
        opts = sorted(rule["options"], key=lambda o: num(o["points"]))
        if bad:
            return opts[1]["code"], "Có quyết định xử lý trong năm"
        return opts[0]["code"], ""
    if bad:
        return fmt_dec(num(rule["step"]) * rng.randint(1, 2), rng), "Có quyết định xử lý trong năm"
    return "0", ""


# --------------------------------------------------------------------------------------------
# Survey answers
# --------------------------------------------------------------------------------------------


def random_time(rng: random.Random, window: tuple[str, str]) -> datetime:
    start = datetime.fromisoformat(window[0])
    end = datetime.fromisoformat(window[1])
    day = start + timedelta(days=rng.randint(0, (end - start).days))
    return day.replace(hour=rng.randint(7, 17), minute=rng.randint(0, 59))


def fmt_time(t: datetime, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.4:
        return t.strftime("%Y-%m-%dT%H:%M")
    if style < 0.5:
        return t.strftime("%Y-%m-%d")
    if style < 0.9:
        return t.strftime("%d/%m/%Y %H:%M")
    return t.strftime("%d/%m/%Y")


def answer(share: float, survey: dict, rng: random.Random) -> str:
    """One answer whose expected normalised score is about `share`."""
    if "scale" in survey:
        lo, hi = int(survey["scale"]["min"]), int(survey["scale"]["max"])
        a = round(lo + (hi - lo) * share + rng.gauss(0, 0.75))
        return str(min(hi, max(lo, a)))
    named = sorted(survey["answers"].items(), key=lambda kv: num(kv[1]))  # worst first
    x = share + rng.gauss(0, 0.22)
    x = min(0.999, max(0.0, x))
    # cumulative thresholds that keep the expected share close to `share`
    cuts = [0.18, 0.42, 0.70]
    i = sum(1 for c in cuts if x >= c)
    return str(named[min(i, len(named) - 1)][0])


def survey_plan(data: dict) -> tuple[list[str], dict[str, list[str]], list[tuple[set, str]]]:
    """Question order; questions asked of each group; (groups, leaf code) per survey leaf."""
    survey = data["survey"]
    order = [q["code"] for q in survey.get("questions", [])]
    all_groups = [g["code"] for g in survey["groups"]]
    asked: dict[str, list[str]] = {g: [] for g in all_groups}
    leaf_groups = []
    for leaf in leaves_of(data["nodes"]):
        rule = leaf["rule"]
        if rule["type"] != "survey":
            continue
        groups = rule.get("groups") or all_groups
        leaf_groups.append((set(groups), leaf["code"]))
        for g in groups:
            for q in rule["questions"]:
                if q not in asked[g]:
                    asked[g].append(q)
                if q not in order:
                    order.append(q)
    for g in asked:
        asked[g].sort(key=order.index)
    return order, asked, leaf_groups


def allocate(cfg: SetConfig, leaf_groups, min_sample: int, low: bool, rng: random.Random):
    """Responses per group for one unit: every leaf reaches min_sample, except for `low`."""
    for _ in range(1000):
        counts = {g: rng.randint(*r) for g, r in cfg.groups.items()}
        if low:
            counts = {g: max(2, c // 3) for g, c in counts.items()}
            return counts
        if all(sum(counts[g] for g in gs) >= min_sample for gs, _ in leaf_groups):
            return counts
    raise SystemExit(f"{cfg.yaml_path}: group sizes cannot reach min_sample {min_sample}")


# --------------------------------------------------------------------------------------------
# One set
# --------------------------------------------------------------------------------------------


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def generate(cfg: SetConfig) -> list[str]:
    yaml_file = HERE / cfg.yaml_path
    data = yaml.safe_load(yaml_file.read_text(encoding="utf-8"))
    assert data["unit_group"] == cfg.group, (cfg.yaml_path, data["unit_group"])
    folder = yaml_file.parent
    set_code = data["code"]

    def stream(*keys: str) -> random.Random:
        """An independent, seeded random stream per set, unit and purpose, so that a change
        in one place does not reshuffle the data everywhere else."""
        return random.Random(zlib.crc32("|".join((set_code, *keys)).encode()))

    rng = stream("units")
    report: list[str] = [f"{cfg.yaml_path} ({data['code']}):"]

    # ---- units and their quality, drawn once
    codes = [u[0] for u in cfg.units]
    n = len(codes)
    dist = statistics.NormalDist(cfg.quality_mean, cfg.quality_sd)
    targets = [dist.inv_cdf((i + 0.5) / n) for i in range(n)]
    if cfg.laggard:
        targets[0] -= 1.8 * cfg.quality_sd
    rng.shuffle(targets)
    quality = {
        c: min(0.99, max(0.2, t + rng.gauss(0, 0.01))) for c, t in zip(codes, targets, strict=True)
    }
    rank = sorted(codes, key=lambda c: -quality[c])  # best first
    # position of a unit between the weakest (0) and the strongest (1)
    rel = {c: 1 - i / (n - 1) for i, c in enumerate(rank)}
    capped = rank[0]  # the strongest unit: a Tốt index, but many late dossiers
    low_sample = rank[n // 2]  # a mid-table unit with too few survey responses

    units_rows = [list(PROVINCE)]
    for code, name, typ, vfrom, vto, pred in cfg.units:
        units_rows.append([code, name, cfg.group, typ, PROVINCE[0], vfrom, vto, pred])
    write_csv(
        folder / f"{cfg.prefix}-units.csv",
        ["code", "name", "group", "type", "parent", "valid_from", "valid_to", "predecessors"],
        units_rows,
    )

    # ---- values
    leaves = leaves_of(data["nodes"])
    extras = [nd for nd in data["nodes"] if "kind" in nd]
    value_rows: list[list[str]] = []
    for code in codes:
        q = quality[code]
        rng = stream(code, "values")
        for leaf in leaves:
            src = leaf["source"]
            lc = leaf["code"]
            if src == "survey":
                continue
            if src == "data":
                if lc in cfg.direct_data and code == rank[-3]:
                    metric = leaf["rule"]["metric"]
                    r = Decimal(str(round(min(1.0, q + 0.05), 2)))
                    value_rows.append(
                        [code, lc, fmt_rate(r, rng), f"{cfg.direct_data[lc]} ({metric})"]
                    )
                continue
            if rng.random() < cfg.na.get(lc, 0.0):
                value_rows.append([code, lc, "NA", rng.choice(NOTES["na"])])
                continue
            share = min(1.0, max(0.0, q + rng.gauss(0, 0.2)))
            val, note = leaf_value(leaf, share, cfg, rng)
            if not note and rng.random() < 0.03:
                note = rng.choice(NOTES["appraisal"])
            value_rows.append([code, lc, val, note])
        for node in extras:
            val, note = extra_value(node, rel[code], rng)
            value_rows.append([code, node["code"], val, note])
    # a few rows left out on purpose: those leaves show status `missing`
    candidates = [
        i
        for i, r in enumerate(value_rows)
        if r[2] != "NA" and r[1] not in {e["code"] for e in extras} and r[1] not in cfg.direct_data
    ]
    dropped = sorted(stream("missing").sample(candidates, cfg.missing_rows), reverse=True)
    for i in dropped:
        report.append(f"  missing: {value_rows[i][0]} {value_rows[i][1]}")
        del value_rows[i]
    write_csv(folder / f"{cfg.prefix}-values.csv", ["unit", "code", "value", "note"], value_rows)

    # ---- survey answers
    survey = data["survey"]
    order, asked, leaf_groups = survey_plan(data)
    min_sample = int(survey["min_sample"])
    answer_rows: list[list[str]] = []
    rid = 0
    tag = data["code"].replace("-", "")
    for code in codes:
        rng = stream(code, "survey")
        mood = min(0.98, max(0.05, quality[code] + rng.gauss(0, 0.03)))
        counts = allocate(cfg, leaf_groups, min_sample, code == low_sample, rng)
        responses = []
        for g, c in counts.items():
            for _ in range(c):
                responses.append((random_time(rng, cfg.survey_window), g))
        responses.sort()
        for when, g in responses:
            rid += 1
            row = {
                "response_id": f"{tag}-{rid:05d}",
                "unit": code,
                "group": g,
                "submitted_at": fmt_time(when, rng),
            }
            person = mood + cfg.group_bias.get(g, 0.0) + rng.gauss(0, 0.06)
            for qc in asked[g]:
                if rng.random() < 0.05:
                    continue  # not answered
                row[qc] = answer(min(1.0, max(0.0, person + rng.gauss(0, 0.05))), survey, rng)
            answer_rows.append(
                [row.get(k, "") for k in ["response_id", "unit", "group", "submitted_at", *order]]
            )
    report.append(
        f"  low_sample: {low_sample} ({sum(1 for r in answer_rows if r[1] == low_sample)}"
        f" responses < {min_sample})"
    )
    write_csv(
        folder / f"{cfg.prefix}-answers.csv",
        ["response_id", "unit", "group", "submitted_at", *order],
        answer_rows,
    )

    # ---- metrics
    metric_rows: list[list[str]] = []
    lo_on, hi_on = cfg.online_range
    skip_metric = None
    if cfg.missing_metric:
        skip_metric = (rank[-cfg.missing_metric[0]], cfg.missing_metric[1])
        report.append(f"  no {skip_metric[1]} metric for {skip_metric[0]} (data leaf missing)")
    for code in codes:
        q, r = quality[code], rel[code]
        rng = stream(code, "metrics")
        if code == capped:
            late = Decimal(str(rng.randint(1000, 1250))) / 10000
            report.append(f"  cap: {code} late_rate {late} (strongest unit)")
        else:
            late = Decimal(str(round(max(0.0, 0.005 + (1 - r) * 0.07 + rng.gauss(0, 0.008)), 4)))
            late = min(late, Decimal("0.0950"))
        ontime = 1 - late
        online = Decimal(
            str(round(lo_on + (hi_on - lo_on) * min(1.0, max(0.0, r + rng.gauss(0, 0.15))), 4))
        )
        plan = Decimal(str(round(min(1.0, 0.62 + 0.45 * q + rng.gauss(0, 0.04)), 4)))
        if plan > Decimal("0.97"):
            plan = Decimal(1)
        for metric, value in (
            ("late_rate", late),
            ("ontime_rate", ontime),
            ("online_rate", online),
            ("plan_completion_rate", plan),
        ):
            if skip_metric == (code, metric):
                continue
            metric_rows.append([code, metric, fmt_rate(value, rng)])
    write_csv(folder / f"{cfg.prefix}-metrics.csv", ["unit", "metric", "value"], metric_rows)

    # ---- previous year's results (only the fields compute needs for deltas)
    if cfg.previous:
        prev = []
        cls = data["classes"]
        rng = stream("previous")
        for code, name in cfg.previous_units:
            # realised indices spread less than the qualities: shrink towards the mean
            if code in quality:
                base = quality[code]
            else:  # a department merged away in 2025: an ordinary 2024 result
                base = rng.gauss(cfg.quality_mean, 0.6 * cfg.quality_sd)
            shrunk = cfg.quality_mean + 0.8 * (base - cfg.quality_mean)
            idx = Decimal(str(min(97.0, 100 * shrunk - 4.0 + rng.gauss(0, 2.5)))).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
            klass = next(c["code"] for c in cls if idx >= num(c["min"]))
            prev.append({"unit": code, "name": name, "index": idx, "class": klass})
        prev.sort(key=lambda u: (-u["index"], u["unit"]))
        for i, u in enumerate(prev):  # ties share a rank, the next rank skips
            u["rank"] = (
                i + 1 if i == 0 or u["index"] != prev[i - 1]["index"] else prev[i - 1]["rank"]
            )
        doc = {
            "criteria_set": data["code"].replace(str(data["year"]), str(data["year"] - 1)),
            "year": data["year"] - 1,
            "unit_group": data["unit_group"],
            "units": [
                {
                    "unit": u["unit"],
                    "name": u["name"],
                    "index": float(u["index"]),
                    "rank": u["rank"],
                    "class": u["class"],
                }
                for u in prev
            ],
        }
        (folder / cfg.previous).write_text(
            json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        report.append(f"  previous: {cfg.previous} ({len(prev)} units)")

    report.append(
        f"  {len(codes)} units, {len(value_rows)} value rows, "
        f"{len(answer_rows)} responses, {len(metric_rows)} metric rows"
    )
    return report


def main() -> None:
    for cfg in SETS:
        print("\n".join(generate(cfg)))


if __name__ == "__main__":
    main()
