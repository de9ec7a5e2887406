"""The pytest plugin (entry point ``pytest11``): options, the ``gradcheck`` fixture, and one
terminal summary. The logic lives in the library; this file only wires it into pytest."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .engine import METHOD_NAMES, seed_from_text
from .errors import GradcheckError, GradientAssertionError
from .report import TestRecords, listening_to, report_document
from .verdict import (
    CheckResult,
    DirectionalResult,
    ProductResult,
    SecondOrderResult,
    check,
    check_directional,
    check_hessian,
    check_hvp,
    check_jvp,
    check_vjp,
    counted,
    render_table,
)

#: The session's records (on an xdist worker, its own; on the controller, every worker's).
RECORDS = pytest.StashKey[list]()
#: The ids of the tests that made checks (on the controller, every worker's).
TESTS = pytest.StashKey[list]()
#: The records of one test, on its item.
TEST_RECORDS = pytest.StashKey[TestRecords]()
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
        "--gradcheck-report",
        action="store_true",
        help="print a table of the checks: one row per check of each test's final example",
    )
    group.addoption("--gradcheck-json", metavar="FILE", help="write the checks as JSON (schema 1)")


def pytest_configure(config: pytest.Config) -> None:
    _check_json_path(config.getoption("--gradcheck-json"))
    config.stash[RECORDS] = []
    config.stash[TESTS] = []
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
        output = getattr(node, "workeroutput", {})
        self.config.stash[RECORDS].extend(output.get("gradcheck_records", []))
        self.config.stash[TESTS].extend(output.get("gradcheck_tests", []))


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the records to the controller
        workeroutput["gradcheck_records"] = session.config.stash[RECORDS]
        workeroutput["gradcheck_tests"] = session.config.stash[TESTS]
        return
    path = session.config.getoption("--gradcheck-json")
    if path and not _write_json(path, session.config):
        # the promised file is missing: a CI step that reads it must not see success
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR


class GradcheckFixture:
    """What the ``gradcheck`` fixture gives a test: every check form with the session's settings.

    Each method is the gradcheck function of the same name with the session's
    ``--gradcheck-method`` (unless the call passes `method`); its result is recorded for
    ``--gradcheck-report`` and ``--gradcheck-json``. The ``assert_*`` methods return the
    result when it passed and raise :class:`gradcheck.GradientAssertionError`, whose message
    is the bounded report, when it did not.

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
        self._records = _test_records(request.node)
        self.rng = np.random.default_rng([self.seed, _stable_hash(request.node.nodeid)])

    def record(self, record: dict[str, Any]) -> None:
        """Add a record (the JSON schema's) to the test's records."""
        self._records.add(record)

    def new_example(self) -> None:
        """Start a new execution of the test: its records replace those recorded so far
        (hypothesis examples are told apart without it)."""
        self._records.new_example()

    def _run(self, check: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("method", self.method)
        start = time.perf_counter()
        result = check(*args, **kwargs)
        self._records.add_result(result, time.perf_counter() - start)
        return result

    def check(self, f: Any, derivative: Any, point: Any, **kwargs: Any) -> CheckResult:
        """:func:`gradcheck.check`; recorded."""
        return self._run(check, f, derivative, point, **kwargs)

    def check_directional(
        self, f: Any, derivative: Any, point: Any, **kwargs: Any
    ) -> DirectionalResult:
        """:func:`gradcheck.check_directional`; recorded."""
        return self._run(check_directional, f, derivative, point, **kwargs)

    def check_vjp(self, f: Any, vjp: Any, point: Any, **kwargs: Any) -> ProductResult:
        """:func:`gradcheck.check_vjp`; recorded (one record per variable of several)."""
        return self._run(check_vjp, f, vjp, point, **kwargs)

    def check_jvp(self, f: Any, jvp: Any, point: Any, **kwargs: Any) -> ProductResult:
        """:func:`gradcheck.check_jvp`; recorded."""
        return self._run(check_jvp, f, jvp, point, **kwargs)

    def check_hessian(self, f: Any, hessian: Any, point: Any, **kwargs: Any) -> SecondOrderResult:
        """:func:`gradcheck.check_hessian`; recorded."""
        return self._run(check_hessian, f, hessian, point, **kwargs)

    def check_hvp(self, f: Any, hvp: Any, point: Any, **kwargs: Any) -> ProductResult:
        """:func:`gradcheck.check_hvp`; recorded."""
        return self._run(check_hvp, f, hvp, point, **kwargs)

    def assert_gradient(self, f: Any, derivative: Any, point: Any, **kwargs: Any) -> CheckResult:
        """:meth:`check`, raising GradientAssertionError when the claim did not pass."""
        __tracebackhide__ = True
        return _passed(self.check(f, derivative, point, **kwargs))

    def assert_vjp(self, f: Any, vjp: Any, point: Any, **kwargs: Any) -> ProductResult:
        """:meth:`check_vjp`, raising GradientAssertionError when the vjp did not pass."""
        __tracebackhide__ = True
        return _passed(self.check_vjp(f, vjp, point, **kwargs))

    def assert_jvp(self, f: Any, jvp: Any, point: Any, **kwargs: Any) -> ProductResult:
        """:meth:`check_jvp`, raising GradientAssertionError when the jvp did not pass."""
        __tracebackhide__ = True
        return _passed(self.check_jvp(f, jvp, point, **kwargs))

    def assert_hessian(self, f: Any, hessian: Any, point: Any, **kwargs: Any) -> SecondOrderResult:
        """:meth:`check_hessian`, raising GradientAssertionError when it did not pass."""
        __tracebackhide__ = True
        return _passed(self.check_hessian(f, hessian, point, **kwargs))

    def assert_hvp(self, f: Any, hvp: Any, point: Any, **kwargs: Any) -> ProductResult:
        """:meth:`check_hvp`, raising GradientAssertionError when the hvp did not pass."""
        __tracebackhide__ = True
        return _passed(self.check_hvp(f, hvp, point, **kwargs))


def _passed(result: Any) -> Any:
    """`result`, when it passed; else raise GradientAssertionError with its report."""
    __tracebackhide__ = True
    if not result.passed:
        raise GradientAssertionError(str(result), result)
    return result


def _stable_hash(text: str) -> int:
    return zlib.crc32(text.encode())


def _test_records(item: pytest.Item) -> TestRecords:
    """The records of the test `item` (made when its run starts)."""
    if TEST_RECORDS not in item.stash:
        item.stash[TEST_RECORDS] = TestRecords(item.nodeid)
    return item.stash[TEST_RECORDS]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """Run the test with its records as the listener of plain gradcheck calls; then add the
    records of its final execution to the session's."""
    records = _test_records(item)
    try:
        with listening_to(records.add_result):
            return (yield)
    finally:
        if records.records:
            item.config.stash[TESTS].append(item.nodeid)
            item.config.stash[RECORDS].extend(records.records)


@pytest.fixture
def gradcheck(request: pytest.FixtureRequest) -> GradcheckFixture:
    """Check function/derivative pairs of every form with the session's gradcheck settings;
    every check is recorded for ``--gradcheck-report`` and ``--gradcheck-json``."""
    return GradcheckFixture(request)


#: Columns of the ``--gradcheck-report`` table, and the width the diagnosis is wrapped at.
SUMMARY_HEADERS = (
    "check",
    "form",
    "wrt",
    "layout",
    "verdict",
    "worst rel. err",
    "FD est.",
    "diagnosis",
)
DIAGNOSIS_WIDTH = 60


def _error_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.1e}"


def summary_rows(records: list[dict[str, Any]]) -> list[list[str]]:
    """The rows of the ``--gradcheck-report`` table, one per record (columns: SUMMARY_HEADERS)."""
    return [
        [
            r["identity"],
            r.get("form") or "-",
            r.get("wrt") or "-",
            r["layout"],
            r["status"],
            _error_text(r["max_rel_error"]),
            _error_text(r["error_estimate"]),
            textwrap.fill(r["diagnosis"], DIAGNOSIS_WIDTH) if r["diagnosis"] else "",
        ]
        for r in records
    ]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    records = config.stash.get(RECORDS, [])
    if config.getoption("--gradcheck-report") and records:
        terminalreporter.section("gradcheck")
        terminalreporter.write_line(render_table(summary_rows(records), SUMMARY_HEADERS))
        tests = len(config.stash.get(TESTS, []))
        bad = sum(not r["ok"] for r in records)
        terminalreporter.write_line(
            f"{counted(tests, 'test')}, {counted(len(records), 'check')}, {bad} not as expected"
        )


def _write_json(path: str, config: pytest.Config) -> bool:
    """``--gradcheck-json``: the session's records as one report (schema 1); False, after one
    line on the terminal, when the file could not be written."""
    records = config.stash.get(RECORDS, [])
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
        Path(path).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:  # checked at configure time; the file system changed since
        message = f"gradcheck: cannot write --gradcheck-json {path!r}: {exc.strerror}"
        terminal = config.pluginmanager.get_plugin("terminalreporter")
        if terminal is None:
            sys.stderr.write(message + "\n")
        else:
            terminal.write("\n")  # after the progress line, which is not ended yet
            terminal.write_line(message, red=True)
        return False
    return True
