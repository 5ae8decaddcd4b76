"""Inputs the sandbox's executor runs to success: the authors' own layouts, re-numbered.

Since the executor fails a run whose input lacks a column the bundle's transformation names
(as Runway's earthmover run does), a made-up "StudentID,Score" file fails a PSAT/SAT job; the
suites that need a run to succeed send these instead.
"""

from __future__ import annotations

import csv
import io

from sandbox_http import SAMPLES

_PSAT = SAMPLES / "PSAT_SAT" / "sample_anonymized_file_sat.csv"


def psat_roster(students: int) -> bytes:
    """A SAT export with ``students`` rows, student ids 605000, 605001, …"""
    header, first, *_ = list(csv.reader(io.StringIO(_PSAT.read_text(encoding="utf-8-sig"))))
    id_columns = [i for i, name in enumerate(header) if "STUDENT_ID" in name]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for number in range(students):
        row = list(first)
        for i in id_columns:
            row[i] = str(605000 + number)
        writer.writerow(row)
    return out.getvalue().encode()


PSAT_INPUT = {"INPUT_FILE": psat_roster(3)}
