"""The pytest plugin (entry point ``pytest11``): options, the ``gradcheck`` fixture, and one
terminal summary. The logic lives in the library; this file only wires it into pytest."""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .engine import METHOD_NAMES, seed_from_text
from .errors import GradcheckError, GradientAssertionError
from .report import record_from_result, report_document
from .verdict import CheckResult, check, render_table

RECORDS = pytest.StashKey[list]()
STARTED = pytest.StashKey[float]()


def _seed(text: str) -> int:
    """argparse type of ``--gradcheck-seed``: a non-negative integer."""
    try:
        return seed_from_text(text, name="--gradcheck-seed")
    except GradcheckError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _trials(text: str) -> int:
    """argparse type of ``--gradcheck-trials``: a positive integer (0 would run no check)."""
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit() and int(stripped) >= 1):
        raise argparse.ArgumentTypeError(
            f"`--gradcheck-trials` must be a positive integer such as 10; got {text!r} "
            "(0 would run no check at all)."
        )
    return int(stripped)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gradcheck", "numerical gradient checks")
    group.addoption("--gradcheck-seed", type=_seed, default=0, help="seed of random points")
    group.addoption(
        "--gradcheck-trials", type=_trials, default=10, help="random draws per identity test"
    )
    group.addoption("--gradcheck-method", choices=METHOD_NAMES, default="central")
    group.addoption(
        "--gradcheck-report", action="store_true", help="print a table of every check that ran"
    )
    group.addoption("--gradcheck-json", metavar="FILE", help="write the checks as JSON (schema 1)")


def pytest_configure(config: pytest.Config) -> None:
    _check_json_path(config.getoption("--gradcheck-json"))
    config.stash[RECORDS] = []
    config.stash[STARTED] = time.perf_counter()
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistGather(config), "gradcheck-xdist")


def _check_json_path(path: str | None) -> None:
    """Refuse an unwritable ``--gradcheck-json`` before the run, not after it."""
    if path is None:
        return
    where = f"--gradcheck-json {path!r}"
    if not path.strip():
        raise pytest.UsageError("--gradcheck-json must be a file name; got ''.")
    target = Path(path)
    if target.is_dir():
        raise pytest.UsageError(f"{where} is a directory; give a file name.")
    if not target.parent.is_dir():
        raise pytest.UsageError(f"{where}: directory {str(target.parent)!r} not found.")
    if not os.access(target.parent, os.W_OK) or (target.exists() and not os.access(path, os.W_OK)):
        raise pytest.UsageError(f"{where}: permission denied.")


class _XdistGather:
    """Collects the workers' records on the controller."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        records = getattr(node, "workeroutput", {}).get("gradcheck_records", [])
        self.config.stash[RECORDS].extend(records)


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the records to the controller
        workeroutput["gradcheck_records"] = session.config.stash[RECORDS]


class GradcheckFixture:
    """What the ``gradcheck`` fixture gives a test: checks with the session's settings.

    Attributes
    ----------
    seed, trials : int
        From ``--gradcheck-seed`` and ``--gradcheck-trials``.
    method : str
        From ``--gradcheck-method``.
    rng : numpy.random.Generator
        Seeded from the session seed and the test's id (reproducible per test).
    """

    def __init__(self, request: pytest.FixtureRequest) -> None:
        config = request.config
        self.seed = int(config.getoption("--gradcheck-seed"))
        self.trials = int(config.getoption("--gradcheck-trials"))
        self.method = str(config.getoption("--gradcheck-method"))
        self._nodeid = request.node.nodeid
        self._records = config.stash[RECORDS]
        self.rng = np.random.default_rng([self.seed, _stable_hash(self._nodeid)])

    def record(self, record: dict[str, Any]) -> None:
        """Add a record (CLI JSON schema) to the session's summary."""
        self._records.append(record)

    def check(self, f: Any, derivative: Any, point: Any, **kwargs: Any) -> CheckResult:
        """:func:`gradcheck.check` with the session's method; the result is recorded."""
        kwargs.setdefault("method", self.method)
        start = time.perf_counter()
        result = check(f, derivative, point, **kwargs)
        self._record_result(result, start)
        return result

    def assert_gradient(self, f: Any, derivative: Any, point: Any, **kwargs: Any) -> CheckResult:
        """:func:`gradcheck.assert_gradient` with the session's method; recorded too."""
        __tracebackhide__ = True
        result = self.check(f, derivative, point, **kwargs)
        if not result.passed:
            raise GradientAssertionError(str(result), result)
        return result

    def _record_result(self, result: CheckResult, start: float) -> None:
        seconds = time.perf_counter() - start
        self.record(record_from_result(result, name=self._nodeid, seconds=seconds))


def _stable_hash(text: str) -> int:
    import zlib

    return zlib.crc32(text.encode())


@pytest.fixture
def gradcheck(request: pytest.FixtureRequest) -> GradcheckFixture:
    """Check function/derivative pairs with the session's gradcheck settings; every check is
    recorded for ``--gradcheck-report`` and ``--gradcheck-json``."""
    return GradcheckFixture(request)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    records = config.stash.get(RECORDS, [])
    if config.getoption("--gradcheck-report") and records:
        rows = [
            [
                r["identity"],
                r["layout"],
                r["status"],
                "-" if r["max_rel_error"] is None else f"{r['max_rel_error']:.1e}",
                "-" if r["error_estimate"] is None else f"{r['error_estimate']:.1e}",
            ]
            for r in records
        ]
        terminalreporter.section("gradcheck")
        terminalreporter.write_line(
            render_table(
                rows,
                ["check", "layout", "verdict", "worst rel. err", "FD est.", "diagnosis"],
                numparse=True,
            )
        )
        bad = sum(not r["ok"] for r in records)
        terminalreporter.write_line(f"{len(records)} checks, {bad} not as expected")
    path = config.getoption("--gradcheck-json")
    if path:
        _write_json(path, config, records, terminalreporter)


def _write_json(path: str, config: pytest.Config, records: list, terminalreporter: Any) -> None:
    """``--gradcheck-json``: the session's records as one report (schema 1)."""
    data = report_document(
        records,
        command="pytest",
        seed=int(config.getoption("--gradcheck-seed")),
        trials=int(config.getoption("--gradcheck-trials")),
        method=str(config.getoption("--gradcheck-method")),
        layouts=sorted({r["layout"] for r in records}),
        seconds=time.perf_counter() - config.stash.get(STARTED, time.perf_counter()),
    )
    try:
        Path(path).write_text(json.dumps(data, indent=1) + "\n")
    except OSError as exc:  # checked at configure time; the file system changed since
        terminalreporter.write_line(
            f"gradcheck: cannot write --gradcheck-json {path!r}: {exc.strerror}", red=True
        )
