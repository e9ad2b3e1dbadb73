"""The pure scoring engine: criteria set + inputs → points, index, rank, class, explanation.

Standard library only; `Decimal` throughout; rounding in `numbers.quantize`, at the end.
"""

from parindex.scoring.engine import ENGINE_VERSION, compute
from parindex.scoring.explain import Trace, explain, render_trace
from parindex.scoring.improve import Improvement, improve

__all__ = [
    "ENGINE_VERSION",
    "Improvement",
    "Trace",
    "compute",
    "explain",
    "improve",
    "render_trace",
]
