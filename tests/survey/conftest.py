import sys
from pathlib import Path

# the cycle builders of the assessments tests (a criteria set, units, people, a cycle)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "assessments"))
