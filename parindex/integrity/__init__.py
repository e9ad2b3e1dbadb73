"""Integrity (*toàn vẹn dữ liệu*): an append-only, hash-chained history of every score change,
written by database triggers, and the check that finds the first broken link."""
