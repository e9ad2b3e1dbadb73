"""Reader of survey exports (*phiếu khảo sát*) into validated responses and a rejection list.

Reads the FORMATS "Survey answers — CSV", a KoboToolbox export (`;`- or `,`-separated CSV,
or XLSX) or a paper-entry sheet through a `ColumnMap`. Each row is accepted or rejected with
every reason that applies; a broken file (unreadable, missing mapped columns, no question
column, ...) raises `InputError` and returns nothing.

Decisions (the tests show each):

- Headers match case-insensitively (NFC, stripped); a mapped header without `/` also matches
  a header by its last path segment (`don_vi` finds `grp_info/don_vi`) when none matches
  whole. Headers neither mapped nor questions are ignored (Kobo adds many).
- On a scale an answer is a whole number (`4`), also written `4.0` or `4,0` as spreadsheets
  export it; `4.5` is refused. Named answers match their codes case-insensitively. Either may
  be written as a label, looked up in `labels` (normalised: NFC, casefolded, spaces collapsed).
- A unit is a value listed in `unit_values` (normalised the same way) that names a known
  unit, or a unit code (exactly, else case-insensitively). A group is a group code
  (case-insensitively) or the label of one of the spec's groups; `fixed_group` puts every row
  in that group (a group column is then not read).
- `submitted_at` is kept as naive UTC: a time with an offset (`+07:00`, `Z`) is converted; a
  time without one is taken as UTC, as Kobo writes `_submission_time`. Dates may also be
  written as in FORMATS (`31/03/2024 14:05`, `2024-03-31`). An empty cell is null.
- A repeated response id: the first row stays (accepted or not), the later ones are rejected.
- A header with no non-blank row below it is a file-level error: an import of nothing is a
  mistake.

Column-wise (polars): each column's distinct values are read once in Python and mapped over
the rows; only rejected rows are visited one by one.
"""

from __future__ import annotations

from parindex.formats.survey_responses.columns import KOBO_COLUMNS, ColumnMap
from parindex.formats.survey_responses.reader import Rejection, ResponseBatch, read_responses

__all__ = ["KOBO_COLUMNS", "ColumnMap", "Rejection", "ResponseBatch", "read_responses"]
