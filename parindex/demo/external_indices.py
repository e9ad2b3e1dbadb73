"""The province's external indices (*các chỉ số bên ngoài*) of 2012–2014 for the demo: PCI,
PAPI and SIPAS, imported by the secretariat from `data/chi-so-ngoai-2012-2014.csv`.

The values are illustrative, not the published figures, and every row says so in its source
("Số liệu minh họa (demo)") and note. SIPAS has no national rank: the Ministry of Home
Affairs has published provincial SIPAS results only since 2017.
"""

from __future__ import annotations

from parindex.accounts.models import User
from parindex.demo.build import DATA, Say
from parindex.indices.services import IndicesImportReport, index_values_import
from parindex.units.models import Authority

INDICES = DATA / "chi-so-ngoai-2012-2014.csv"


def external_indices_load(
    *, authority: Authority, secretary: User, say: Say
) -> IndicesImportReport:
    report = index_values_import(
        authority=authority, path=INDICES, display_name=INDICES.name, by=secretary
    )
    say(f"  chỉ số bên ngoài (PCI, PAPI, SIPAS) 2012–2014: {report.created} giá trị minh họa")
    return report
