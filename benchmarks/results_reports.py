"""Results reports for 200 units: the ranking PDF (Decree 30 layout) and the XLSX workbook.

Builds 200 units from the Sơn La 2014 departments set with values drawn from the example
units' own values (each unit copies an example unit's row, with a few choice values changed),
computes once, then times `results_pdf` (vi) and `results_xlsx` over several rounds.
Targets (issue): PDF ≤ 5 s, XLSX ≤ 2 s on this machine.

    python benchmarks/results_reports.py [--units 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from pathlib import Path

from parindex.formats.criteria import read_criteria
from parindex.formats.inputs import read_units, read_values, units_for
from parindex.formats.results import results_document, results_xlsx
from parindex.formats.results_pdf import Heading, results_pdf
from parindex.scoring import compute
from parindex.scoring.model import Inputs, Unit

SON_LA = Path(__file__).resolve().parent.parent / "examples" / "son-la-2014"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    criteria = read_criteria(SON_LA / "departments.yaml")
    records = read_units(SON_LA / "departments-units.csv")
    examples = units_for(records, unit_group=criteria.unit_group, year=criteria.year)
    values = read_values(SON_LA / "departments-values.csv", criteria, {u.code for u in examples})
    rng = random.Random(2024)
    units, drawn = [], {}
    for i in range(args.units):
        model = examples[i % len(examples)]
        code = f"DV_{i + 1:03d}"
        units.append(Unit(code, f"{model.name} số {i + 1}", group=model.group))
        entries = dict(values.get(model.code, {}))
        for leaf in rng.sample(sorted(entries), k=min(5, len(entries))):
            del entries[leaf]  # a few leaves missing: indices spread out
        drawn[code] = entries
    results = compute(criteria, Inputs(units=tuple(units), values=drawn))
    heading = Heading("UBND TỈNH SƠN LA", "SỞ NỘI VỤ", "Sơn La")
    print(f"{args.units} units, {len(criteria.leaves())} leaves each")
    for name, render in (
        (
            "PDF (vi)",
            lambda: results_pdf(results_document(results, criteria), criteria, "vi", heading),
        ),
        ("XLSX", lambda: results_xlsx(results, criteria)),
    ):
        times, size = [], 0
        for _ in range(args.rounds):
            start = time.perf_counter()
            size = len(render())
            times.append(time.perf_counter() - start)
        print(f"{name:9} best {min(times):.2f} s, worst {max(times):.2f} s, {size / 1024:.0f} KiB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
