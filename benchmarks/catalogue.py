"""Time the whole built-in catalogue: every identity x 2 layouts x 10 random draws.

Run with ``python benchmarks/catalogue.py``; not part of the test suite. Prints the time per
family and in total, and, as the anchor measured in the same process, the same run with every
function evaluated one point at a time (what a checker without batching does), and the run
spread over worker processes (``jobs``: the CPUs available), whose records must equal the
serial ones. Targets: the whole catalogue (at least 250 identities) in under 10 s serial and
under 3 s on 2 cores, on a 2-core machine.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import replace

from benchmark_output import header, saved_output
from gradcheck_identities import builtin_catalogue
from tabulate import tabulate

import gradcheck
from gradcheck.catalogue import available_jobs
from gradcheck.report import report_to_json


def main() -> int:
    with saved_output("catalogue"):
        return run()


def run() -> int:
    catalogue = builtin_catalogue()
    looped = gradcheck.Catalogue(replace(e, vectorized=False) for e in catalogue)
    start = time.perf_counter()
    report = gradcheck.run_catalogue(catalogue=catalogue, trials=10, seed=0)
    batched_seconds = time.perf_counter() - start
    jobs = available_jobs()
    start = time.perf_counter()
    parallel = gradcheck.run_catalogue(catalogue=catalogue, trials=10, seed=0, jobs=jobs)
    parallel_seconds = time.perf_counter() - start
    start = time.perf_counter()
    anchor = gradcheck.run_catalogue(catalogue=looped, trials=10, seed=0)
    looped_seconds = time.perf_counter() - start

    per_family: dict[str, list] = defaultdict(lambda: [0, 0, 0.0, 0])
    for record in report.records:
        row = per_family[record.family]
        row[2] += record.seconds
        row[3] += record.evaluations if record.layout == report.layouts[0] else 0
    for entry in catalogue:
        per_family[entry.family][1 if entry.is_pitfall else 0] += 1
    rows = [
        [family, ids, pits, f"{seconds:.2f}", evaluations]
        for family, (ids, pits, seconds, evaluations) in sorted(per_family.items())
    ]
    print(header())
    print(tabulate(rows, headers=["family", "identities", "pitfalls", "seconds", "f evals"]))
    print()
    print(report.totals())
    print(
        f"whole catalogue, batched: {batched_seconds:.1f} s (target < 10 s); "
        f"one point per call: {looped_seconds:.1f} s; ratio {looped_seconds / batched_seconds:.1f}x"
    )
    print(
        f"whole catalogue on {jobs} worker processes (--jobs {jobs}): {parallel_seconds:.1f} s "
        f"(target < 3 s on 2 cores); {batched_seconds / parallel_seconds:.1f}x the serial run; "
        f"records identical to the serial run's: {_untimed(parallel) == _untimed(report)}"
    )
    print(f"anchor run agrees: {anchor.ok == report.ok}")
    return 0 if report.ok else 1


def _untimed(report: gradcheck.CatalogueReport) -> str:
    """The JSON report without its timings (the only figures that differ between runs)."""
    data = report_to_json(report)
    data.pop("seconds")
    for record in data["records"]:
        record.pop("seconds")
    return repr(data)


if __name__ == "__main__":
    raise SystemExit(main())
