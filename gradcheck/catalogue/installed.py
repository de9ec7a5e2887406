"""Catalogues that installed packages register under the entry-point group ``gradcheck.catalogues``.

gradcheck itself imports no catalogue: the built-in one (the repository's ``identities/``
folder, installed as the package ``gradcheck_identities``) registers itself in
``pyproject.toml`` like any other package can::

    [project.entry-points."gradcheck.catalogues"]
    builtin = "gradcheck_identities:builtin_catalogue"

An entry point names a callable that returns a :class:`Catalogue` (or a module whose identities
are collected). Nothing in the working directory can stand in for an installed catalogue: a
user's own module named ``identities`` is never imported by gradcheck.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType

from ..errors import UnknownNameError
from .registry import Catalogue, load_catalogue

__all__ = ["CATALOGUE_GROUP", "installed_catalogue", "installed_catalogues"]

#: The entry-point group in which packages register catalogues.
CATALOGUE_GROUP = "gradcheck.catalogues"


def installed_catalogues() -> tuple[str, ...]:
    """Names of the catalogues registered by installed packages, sorted.

    Examples
    --------
    >>> "builtin" in installed_catalogues()
    True
    """
    return tuple(sorted({ep.name for ep in entry_points(group=CATALOGUE_GROUP)}))


def installed_catalogue(name: str = "builtin") -> Catalogue:
    """The catalogue an installed package registers under `name` (built once per process).

    Parameters
    ----------
    name : str
        Entry-point name in the group ``gradcheck.catalogues``; ``"builtin"`` is gradcheck's
        own catalogue of identities and pitfalls.

    Raises
    ------
    UnknownNameError
        If no installed package registers `name`, or its entry point does not give a catalogue.

    Examples
    --------
    >>> catalogue = installed_catalogue()
    >>> "dxTAx_dx" in catalogue
    True
    """
    if not isinstance(name, str):
        raise UnknownNameError(f"a catalogue name must be a string; got {name!r}.")
    return _load(name)


@functools.cache
def _load(name: str) -> Catalogue:
    found = [ep for ep in entry_points(group=CATALOGUE_GROUP) if ep.name == name]
    if not found:
        known = ", ".join(installed_catalogues()) or "none"
        raise UnknownNameError(
            f"no installed catalogue named {name!r} (installed: {known}); packages register "
            f"catalogues under the entry-point group {CATALOGUE_GROUP!r}."
        )
    return _from_entry_point(found[0])


@contextlib.contextmanager
def _without_working_directory() -> Iterator[None]:
    """sys.path without the working directory: installed code is found where it is installed,
    not shadowed by a user's file of the same name (``python -m`` puts the directory first)."""
    saved = list(sys.path)
    here = os.getcwd()
    sys.path[:] = [p for p in saved if p not in ("", ".") and os.path.abspath(p) != here]
    try:
        yield
    finally:
        sys.path[:] = saved


def _from_entry_point(ep: EntryPoint) -> Catalogue:
    with _without_working_directory():
        try:
            target = ep.load()
        except (ImportError, AttributeError) as exc:
            raise UnknownNameError(
                f"the catalogue {ep.name!r} ({ep.value}) cannot be loaded: {exc}; reinstall "
                f"the package that registers it."
            ) from exc
        if isinstance(target, ModuleType):
            return load_catalogue(target)
        value = target() if callable(target) else target
    if not isinstance(value, Catalogue):
        raise UnknownNameError(
            f"the entry point {ep.value!r} of catalogue {ep.name!r} gave "
            f"{type(value).__name__}, not a gradcheck.Catalogue."
        )
    return value
