"""Time ``gradcheck notes`` on a 500-formula document built from tests/notes/least_squares.md.

Run with ``python benchmarks/latex.py``; not part of the test suite (timings are printed,
never asserted). The document repeats that file, prose and all, until
it holds 500 statements, and is checked once end to end (reading, typing, two random trials per
statement and layout). Target: under 10 s on the project's 2-core machine.
"""

from __future__ import annotations

import platform
import sys
import time
from collections import Counter
from pathlib import Path

import gradcheck
from gradcheck.latex import check_notes_text

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "notes"
TARGET = 500


def document() -> tuple[str, int]:
    """The corpus's Markdown files repeated until they hold TARGET statements (and how many
    the copies hold when read separately)."""
    parts = [(CORPUS / "least_squares.md").read_text(encoding="utf-8")]
    per_round = sum(len(check_notes_text(p)) for p in parts)
    rounds = -(-TARGET // per_round)
    text = "\n\n".join(parts * rounds)
    return text, per_round * rounds


def main() -> int:
    text, expected = document()
    start = time.perf_counter()
    records = check_notes_text(text, "bench.md")
    seconds = time.perf_counter() - start
    # the copies share one context (declarations, definitions, the first layout stated), so
    # the count can differ a little from the sum of the separate files
    counts = Counter(r.verdict for r in records)
    versions = f"Python {platform.python_version()}, gradcheck {gradcheck.__version__}"
    print(f"{versions}; {platform.machine()}")
    print(
        f"gradcheck notes: {len(records)} statements (~{expected} in the copies) "
        f"({dict(sorted(counts.items()))}) in "
        f"{seconds:.2f} s ({1000 * seconds / len(records):.1f} ms per statement); target < 10 s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
