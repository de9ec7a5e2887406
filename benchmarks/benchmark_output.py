"""What the benchmark scripts share: the header line of their tables and their saved output.

The header is made from :func:`gradcheck.report.environment` (the environment block of every
JSON report), so it names the versions, the platform and the CPU, never with an empty field.
A full run of a script saves what it printed to ``benchmarks/results/NAME.txt``;
``benchmarks/README.md`` shows those files, and ``tests/test_public_api.py`` checks that each
block there equals its file (``GRADCHECK_UPDATE_README=1`` copies the files in).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from gradcheck.report import environment

RESULTS = Path(__file__).resolve().parent / "results"
#: The versions the header names, in order.
VERSIONS = ("gradcheck", "numpy", "scipy", "hypothesis", "python")


def header() -> str:
    """One line: versions; platform; CPU; number of CPUs; date (fields separated by "; ")."""
    env = environment()
    versions = ", ".join(f"{name} {env[name]}" for name in VERSIONS)
    cpus = os.cpu_count()
    count = "unknown number of CPUs" if cpus is None else f"{cpus} CPU{'s' if cpus != 1 else ''}"
    return f"{versions}; {env['platform']}; {env['cpu']}; {count}; {datetime.date.today()}"


class _Tee(io.TextIOBase):
    def __init__(self, stream) -> None:
        self.stream, self.copy = stream, io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


@contextlib.contextmanager
def saved_output(name: str | None) -> Iterator[None]:
    """Print as usual and, when `name` is given and the block completes, save everything
    printed to ``results/NAME.txt`` (a run that raises saves nothing)."""
    if name is None:
        yield
        return
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        yield
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.txt").write_text(tee.copy.getvalue(), encoding="utf-8")
