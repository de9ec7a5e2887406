"""The checks made during one pytest test, wherever they were made: its listener and records.

The pytest plugin runs each test inside :func:`listening_to` with the test's
:class:`TestRecords`. The check functions users import from ``gradcheck``
(``gradcheck.check``, ``gradcheck.assert_gradient``, ``gradcheck.check_vjp``, ...) are the
verdict functions wrapped by :func:`reported`: each hands its result, and the time it took, to
the listener of the current context, so that a plain call in a test is in the session report
as a check made with the ``gradcheck`` fixture is. Outside a listener (no pytest, or pytest
without the plugin) nothing is recorded and nothing else changes.

The listener lives in a :class:`contextvars.ContextVar`, set for one test and reset after it:
nothing leaks from one test into the next, and each thread and asyncio task sees its own. A
thread the test starts runs in a fresh context and so records nothing, unless it is started in
a copy of the test's (``contextvars.copy_context().run``); under ``pytest-xdist`` each worker
records its own tests and the plugin sends the records to the controller.
"""

from __future__ import annotations

import functools
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from ..errors import GradcheckWarning, GradientAssertionError, InvalidArgumentError
from .recording import records_from_result

__all__ = ["Listener", "TestRecords", "listening_to", "reported"]

#: Receives each result of a reported check and the seconds it took.
Listener = Callable[[Any, float], None]
F = TypeVar("F", bound=Callable[..., Any])

_LISTENER: ContextVar[Listener | None] = ContextVar("gradcheck_listener", default=None)


@contextmanager
def listening_to(listener: Listener) -> Iterator[None]:
    """Within the block, every :func:`reported` check of this context calls `listener`.

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> heard = []
    >>> check = reported(gradcheck.verdict.check)
    >>> f = lambda x: np.sum(np.sin(x))
    >>> with listening_to(lambda result, seconds: heard.append(result.status)):
    ...     _ = check(f, np.cos, np.ones(2))
    >>> _ = check(f, np.cos, np.ones(2))  # not heard: outside the block
    >>> heard
    ['passed']
    """
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def reported(function: F) -> F:
    """`function` (a check returning a result, or an assert_* raising
    :class:`gradcheck.GradientAssertionError`) reporting its result to the current listener.

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> heard = []
    >>> assert_gradient = reported(gradcheck.verdict.assert_gradient)
    >>> with listening_to(lambda result, seconds: heard.append(result.status)):
    ...     try:
    ...         assert_gradient(lambda x: np.sum(np.sin(x)), np.sin, np.ones(2))
    ...     except gradcheck.GradientAssertionError:
    ...         pass
    >>> heard
    ['failed']
    """

    @functools.wraps(function)
    def check_and_report(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        listener = _LISTENER.get()
        if listener is None:
            return function(*args, **kwargs)
        start = time.perf_counter()
        try:
            result = function(*args, **kwargs)
        except GradientAssertionError as exc:
            listener(exc.result, time.perf_counter() - start)
            raise
        listener(result, time.perf_counter() - start)
        return result

    return check_and_report  # type: ignore[return-value]


def _hypothesis_example() -> object | None:
    """The hypothesis example being run in this context (its build context), else None."""
    from hypothesis import currently_in_test_context
    from hypothesis.control import current_build_context

    return current_build_context() if currently_in_test_context() else None


class TestRecords:
    """The report records of one test: those of its last execution.

    A test that makes several checks keeps one record per check. Hypothesis runs a test once
    per example (and again while shrinking, and once more for the final, shrunk failing
    example): a record made in another example than the previous one replaces the records
    of that example, so what remains is the final example's (the last one run that made a
    check). :meth:`new_example` starts an execution explicitly (for draws made without
    hypothesis).

    Examples
    --------
    >>> records = TestRecords("test_x")
    >>> for trial in range(3):
    ...     records.new_example()
    ...     records.add({"trial": trial})
    >>> records.records
    ({'trial': 2},)
    """

    __test__ = False  # not a test class, whatever its name says

    def __init__(self, name: str) -> None:
        self.name = name
        self._records: list[dict[str, Any]] = []
        self._execution: tuple[int, object | None] | None = None
        self._explicit = 0

    def new_example(self) -> None:
        """The next record starts a new execution: the records so far will be replaced."""
        self._explicit += 1

    def add(self, record: dict[str, Any]) -> None:
        """Add a record to the current execution's."""
        execution = (self._explicit, _hypothesis_example())
        if self._execution is None or not _same(execution, self._execution):
            self._records = []
            self._execution = execution
        self._records.append(record)

    def add_result(self, result: Any, seconds: float) -> None:
        """Add the records of a check's result (a :data:`Listener`), named after the test. A
        result that cannot be recorded warns (:class:`gradcheck.GradcheckWarning`) instead of
        failing the test that made it."""
        try:
            records = records_from_result(result, name=self.name, seconds=seconds)
        except InvalidArgumentError as exc:
            warnings.warn(f"{self.name}: a check was not recorded: {exc}", GradcheckWarning, 2)
            return
        for record in records:
            self.add(record)

    @property
    def records(self) -> tuple[dict[str, Any], ...]:
        """The records of the last execution."""
        return tuple(self._records)


def _same(a: tuple[int, object | None], b: tuple[int, object | None]) -> bool:
    return a[0] == b[0] and a[1] is b[1]
