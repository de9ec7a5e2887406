"""The environment block of every report: versions of gradcheck and what it runs on, and the
machine. Built here only, by :func:`environment`, for every JSON writer (and the benchmark
headers)."""

from __future__ import annotations

import platform
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

import numpy as np
import scipy

__all__ = ["ENVIRONMENT_FIELDS", "environment"]

#: The fields of the block, in order; every value is a non-empty string.
ENVIRONMENT_FIELDS = ("gradcheck", "numpy", "scipy", "hypothesis", "python", "platform", "cpu")


def _version(package: str) -> str:
    try:
        return metadata.version(package) or "unknown"
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_name() -> str:
    """The processor's model name: /proc/cpuinfo's on Linux, else platform.processor(), else
    the machine type (x86_64, arm64), else "unknown"."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Hardware", "cpu model") and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor().strip() or platform.machine().strip() or "unknown"


@cache
def _environment() -> tuple[tuple[str, str], ...]:
    from .._version import __version__

    values = {
        "gradcheck": __version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "hypothesis": _version("hypothesis"),
        "python": platform.python_version() or sys.version.split()[0],
        "platform": platform.platform() or sys.platform or "unknown",
        "cpu": _cpu_name(),
    }
    return tuple((key, values[key] or "unknown") for key in ENVIRONMENT_FIELDS)


def environment() -> dict[str, str]:
    """Versions of gradcheck, numpy, scipy, hypothesis and Python, the platform and the CPU.

    Every value is a non-empty string: a package that is not installed is "not installed", a
    CPU whose name is unknown is named by its machine type, or "unknown".

    Returns
    -------
    dict
        A fresh dict with the keys of :data:`ENVIRONMENT_FIELDS`.

    Examples
    --------
    >>> env = environment()
    >>> list(env) == list(ENVIRONMENT_FIELDS) and all(env.values())
    True
    """
    return dict(_environment())
