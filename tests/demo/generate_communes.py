"""Write the demo's commune data: `python tests/demo/generate_communes.py [FOLDER]`.

The wards and communes of Thành phố Sơn La in 2014 (evaluated by the city's People's
Committee in the demo province) with their values, survey answers and metrics, drawn by
`examples/generate.py` from `parindex/demo/data/communes.yaml` (a 2014 adaptation of
`examples/2025/communes.yaml`). Deterministic: `test_the_commune_data_are_generated` checks that
running this again gives the same files. FOLDER defaults to `parindex/demo/data/`.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "parindex" / "demo" / "data"
CITY = ("TP_SON_LA", "Ủy ban nhân dân thành phố Sơn La", "thanh_pho", "thanh_pho", "", "", "", "")
WARDS_AND_COMMUNES = [  # (code, name, type, valid_from, valid_to, predecessors)
    ("P_CHIENG_LE", "Phường Chiềng Lề", "phuong", "", "", ""),
    ("P_TO_HIEU", "Phường Tô Hiệu", "phuong", "", "", ""),
    ("P_QUYET_THANG", "Phường Quyết Thắng", "phuong", "", "", ""),
    ("P_QUYET_TAM", "Phường Quyết Tâm", "phuong", "", "", ""),
    ("P_CHIENG_SINH", "Phường Chiềng Sinh", "phuong", "", "", ""),
    ("P_CHIENG_AN", "Phường Chiềng An", "phuong", "", "", ""),
    ("P_CHIENG_COI", "Phường Chiềng Cơi", "phuong", "", "", ""),
    ("X_CHIENG_NGAN", "Xã Chiềng Ngần", "xa", "", "", ""),
    ("X_CHIENG_DEN", "Xã Chiềng Đen", "xa", "", "", ""),
    ("X_CHIENG_XOM", "Xã Chiềng Xôm", "xa", "", "", ""),
    ("X_HUA_LA", "Xã Hua La", "xa", "", "", ""),
    ("X_CHIENG_CO", "Xã Chiềng Cọ", "xa", "", "", ""),
]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "parindex_examples_generate", ROOT / "examples" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def generate(folder: Path) -> list[str]:
    """Write communes-{units,values,answers,metrics}.csv into `folder` (which gets a copy of
    the YAML set when it is not the data folder); returns the generator's report."""
    folder.mkdir(parents=True, exist_ok=True)
    if folder.resolve() != DATA.resolve():
        shutil.copy(DATA / "communes.yaml", folder / "communes.yaml")
    gen = _generator()
    gen.PROVINCE = CITY  # the parent row of the units file: the city, not the province
    # the 2025 communes' settings, moved to 2014: lower quality, a 2014 survey, few online
    communes_2025 = next(c for c in gen.SETS if c.yaml_path == "2025/communes.yaml")
    config = dataclasses.replace(
        communes_2025,
        yaml_path=str(folder / "communes.yaml"),  # absolute: the files are written beside it
        units=WARDS_AND_COMMUNES,
        quality_mean=0.76,
        survey_window=("2014-09-15", "2014-11-15"),
        online_range=(0.0, 0.06),
        direct_data={"1.1.2": "Số liệu Phòng Nội vụ thẩm định, thay số liệu báo cáo"},
    )
    report: list[str] = gen.generate(config)
    return report


if __name__ == "__main__":
    print("\n".join(generate(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA)))
