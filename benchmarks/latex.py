"""Time ``gradcheck notes`` on a 500-formula document built from the corpus under tests/notes.

Run with ``python benchmarks/latex.py`` (``--no-save`` to leave benchmarks/results/latex.txt
alone); not part of the test suite (timings are printed, never asserted). The document is the
corpus's Markdown files (derivatives, differentials, identities, rules, index sums, vec and
Kronecker derivatives, derivations checked link by link, layout tables, hostile input), prose
and all, repeated until it holds at least 500 statements, and is checked once end to end
(reading, typing, two random trials per statement, layout and reading of bars). Each file is
also timed on its own. Target: the whole document in under 10 s on the project's 2-core
machine.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from benchmark_output import header, saved_output  # beside this script
from tabulate import tabulate

from gradcheck.latex import check_notes_text

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "notes"
TARGET = 500


def _timed(text: str, name: str) -> tuple[list, float]:
    start = time.perf_counter()
    records = check_notes_text(text, name)
    return records, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    files = sorted(CORPUS.glob("*.md"))
    texts = {p.name: p.read_text(encoding="utf-8") for p in files}
    rows, per_round = [], 0
    for name, text in texts.items():
        records, seconds = _timed(text, name)
        per_round += len(records)
        rows.append([name, len(records), f"{seconds:.2f}", f"{1000 * seconds / len(records):.1f}"])
    rounds = -(-TARGET // per_round)
    document = "\n\n".join(list(texts.values()) * rounds)
    records, seconds = _timed(document, "bench.md")
    # the copies share one context (declarations, definitions, the first layout stated), so
    # the verdicts of later copies can differ from those of the files read on their own
    counts = Counter(r.verdict for r in records)
    rows.append(
        [
            f"all, {rounds} times",
            len(records),
            f"{seconds:.2f}",
            f"{1000 * seconds / len(records):.1f}",
        ]
    )
    with saved_output(None if "--no-save" in argv else "latex"):
        print(header())
        print(tabulate(rows, ["document", "statements", "seconds", "ms per statement"]))
        print(
            f"whole document: {len(records)} statements ({dict(sorted(counts.items()))}) in "
            f"{seconds:.2f} s; target < 10 s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
