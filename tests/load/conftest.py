import sys
from pathlib import Path

# the sheet builders of the assessments tests (a cycle, units and people of every role)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "assessments"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
