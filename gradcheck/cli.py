"""The command line: ``gradcheck catalogue | list | show | formula | check``.

One entry point, :func:`main`, used by the ``gradcheck`` console script and by
``python -m gradcheck``. Exit status: 0 when everything is as expected, 1 when a check failed or
a regression against a baseline was found, 2 on a usage or input error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import numpy as np

from ._expressions import compile_expression
from .catalogue import (
    CONSTRAINTS,
    Catalogue,
    CatalogueReport,
    dimension_names,
    draw_dimensions,
    identity_card,
    installed_catalogue,
    load_catalogue,
    render_listing,
    render_markdown,
    resolve_shape,
    run_catalogue,
    sample,
    threshold_text,
)
from .engine import LAYOUTS, METHOD_NAMES
from .errors import GradcheckError, InvalidArgumentError, UnknownNameError
from .report import compare_reports, load_report, report_to_json
from .verdict import check

__all__ = ["main"]

TABLE_FORMATS = ("plain", "simple", "github", "grid", "latex", "html")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so that main() returns 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InvalidArgumentError(f"{self.prog}: {message}")


def _build_parser() -> _Parser:
    parser = _Parser(prog="gradcheck", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    cat = sub.add_parser("catalogue", help="check the identity catalogue")
    cat.add_argument("--family", action="append", help="only this family (repeatable)")
    cat.add_argument("--select", nargs="+", metavar="NAME", help="names or glob patterns")
    cat.add_argument("--layout", choices=("numerator", "denominator", "both"), default="both")
    cat.add_argument("--trials", type=int, default=10)
    cat.add_argument("--seed", type=int, default=0)
    cat.add_argument("--method", choices=METHOD_NAMES, default="central")
    cat.add_argument("--module", help="a module or .py file with your own identities")
    cat.add_argument("--format", choices=(*TABLE_FORMATS, "json"), default="simple")
    cat.add_argument("--save", metavar="FILE.json", help="write the JSON report")
    cat.add_argument("--baseline", metavar="FILE.json", help="compare with a saved report")

    lst = sub.add_parser("list", help="list the identities with formulas and sources")
    lst.add_argument("--family", action="append")
    lst.add_argument("--module")
    lst.add_argument("--format", choices=(*TABLE_FORMATS, "markdown"), default="simple")
    lst.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")

    show = sub.add_parser("show", help="one identity's card and a fresh check")
    show.add_argument("name")
    show.add_argument("--module")
    show.add_argument("--seed", type=int, default=0)
    show.add_argument("--method", choices=METHOD_NAMES, default="central")

    formula = sub.add_parser("formula", help="check a formula typed as numpy expressions")
    formula.add_argument("expr", help="the function, e.g. 'x @ A @ x'")
    formula.add_argument("--claim", required=True, help="the claimed derivative")
    formula.add_argument("--wrt", required=True)
    formula.add_argument("--shapes", required=True, help="e.g. 'x=n A=n,n c=' (c scalar)")
    _add_common_check_options(formula)

    chk = sub.add_parser("check", help="check a function pair from your code")
    chk.add_argument("function", metavar="MODULE:FUNC")
    chk.add_argument("--derivative", required=True, metavar="MODULE:FUNC")
    chk.add_argument("--shapes", required=True, help="e.g. 'x=n A=n,n'")
    chk.add_argument("--wrt")
    _add_common_check_options(chk)
    return parser


def _add_common_check_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--constraint", action="append", default=[], metavar="VAR=NAME")
    p.add_argument("--layout", choices=(*LAYOUTS, "auto"), default="denominator")
    p.add_argument("--trials", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--method", choices=METHOD_NAMES, default="central")
    p.add_argument("--format", choices=(*TABLE_FORMATS, "json"), default="simple")


def _colour(enabled: bool):
    def paint(text: str, ok: bool) -> str:
        if not enabled:
            return text
        return f"\033[{32 if ok else 31}m{text}\033[0m"

    return paint


def _use_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


def _progress(stream: TextIO, *, after: float = 1.0):
    """A progress line on `stream` when it is a terminal, drawn once the run has lasted more
    than `after` seconds (short runs print nothing)."""
    if not stream.isatty():
        return None
    import time

    start = time.perf_counter()
    shown = [False]

    def report(done: int, total: int, name: str) -> None:
        if not shown[0] and time.perf_counter() - start < after:
            return
        shown[0] = True
        end = "\n" if done == total else ""
        stream.write(f"\r[{done:>4}/{total}] {name[:60]:<60}{end}")
        stream.flush()

    return report


def _catalogue(module: str | None) -> Catalogue:
    if module is not None:
        return load_catalogue(module)
    return installed_catalogue()


def _cmd_catalogue(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    layouts = ("numerator", "denominator") if args.layout == "both" else (args.layout,)
    baseline = load_report(args.baseline) if args.baseline else None
    report = run_catalogue(
        select=args.select,
        families=args.family,
        layouts=layouts,
        trials=args.trials,
        seed=args.seed,
        method=args.method,
        catalogue=_catalogue(args.module),
        progress=_progress(err),
    )
    data = report_to_json(report)
    if args.save:
        Path(args.save).write_text(json.dumps(data, indent=1) + "\n")
    regressions = compare_reports(data, baseline) if baseline is not None else None
    if args.format == "json":
        out.write(json.dumps(data, indent=1) + "\n")
    else:
        out.write(_catalogue_text(report, args.format, _use_colour(out)) + "\n")
        if regressions is not None:
            out.write(f"\nagainst baseline {args.baseline}:\n")
            out.write(regressions.table(args.format) + "\n")
    if not report.ok or (regressions is not None and regressions.regressed):
        return EXIT_FAILED
    return EXIT_OK


def _catalogue_text(report: CatalogueReport, tablefmt: str, colour: bool) -> str:
    paint = _colour(colour)
    from tabulate import tabulate

    rows = []
    for row in report.summary_rows():
        verdict = "caught" if row["kind"] == "pitfall" else "passed"
        ok = row["ok"] == row["checks"]
        rows.append(
            [
                row["family"],
                row["identity"],
                "/".join(layout[:3] for layout in row["layouts"]),
                paint(f"{row['ok']}/{row['checks']} {verdict}", ok),
                f"{row['worst_rel_error']:.1e}",
                threshold_text(row),
                f"{row['seconds'] * 1e3:.0f}",
                row["diagnosis"],
            ]
        )
    headers = ["family", "identity", "layouts", "verdicts", "worst rel. err", "detects"]
    headers += ["ms", "diagnosis"]
    table = tabulate(rows, headers=headers, tablefmt=tablefmt, disable_numparse=True)
    lines = [table, paint(report.totals(), report.ok)]
    for r in report.problems[:20]:
        why = r.message if r.diagnosis is None else f"{r.message}; {r.diagnosis}"
        lines.append(
            f"problem: {r.identity} [{r.layout}, trial {r.trial}, shapes {r.shapes}] "
            f"{r.status}: {why}"
        )
    return "\n".join(lines)


def _cmd_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    catalogue = _catalogue(args.module).select(families=args.family)
    text = (
        render_markdown(catalogue)
        if args.format == "markdown"
        else render_listing(catalogue, args.format)
    )
    if args.output:
        Path(args.output).write_text(text if text.endswith("\n") else text + "\n")
    else:
        out.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


def _cmd_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    entry = _catalogue(args.module)[args.name]
    card = identity_card(entry)
    for key in (
        "name",
        "family",
        "kind",
        "formula",
        "latex",
        "layout",
        "other_formula",
        "variables",
        "conditions",
        "source",
        "note",
    ):
        if card[key]:
            label = "other" if key == "other_formula" else key
            out.write(f"{label + ':':<11} {card[key]}\n")
    rng = entry.seed_sequence(args.seed, 0)
    dims, point = entry.draw(rng)
    shapes = {v: resolve_shape(s, dims) for v, s in entry.shapes.items()}
    out.write(f"{'check:':<11} shapes {shapes}, seed {args.seed}\n\n")
    result = entry.check(point, method=args.method)
    out.write(str(result) + "\n")
    expected = "failed" if entry.is_pitfall else "passed"
    return EXIT_OK if result.status == expected else EXIT_FAILED


def _parse_assignments(text: str, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.split():
        if "=" not in part:
            raise InvalidArgumentError(
                f"{what} {part!r} must look like NAME=VALUE (e.g. 'x=n A=n,n', 'c=' for a scalar)."
            )
        name, value = part.split("=", 1)
        if not name.isidentifier():
            raise InvalidArgumentError(f"{what}: {name!r} is not a variable name.")
        out[name] = value.replace(",", " ").strip("()")
    return out


def _constraints(items: Sequence[str], shapes: dict[str, str]) -> dict[str, str]:
    out = {}
    for item in items:
        parsed = _parse_assignments(item, "--constraint")
        for name, constraint in parsed.items():
            if name not in shapes:
                raise UnknownNameError(f"--constraint names {name!r}, which has no --shapes entry.")
            if constraint not in CONSTRAINTS:
                sample(constraint, np.random.default_rng(0), ())  # raises with suggestions
            out[name] = constraint
    return out


def _random_checks(f, derivative, shapes, constraints, args, out: TextIO) -> int:
    names = dimension_names(list(shapes.values()))
    rows, all_ok, results = [], True, []
    for trial in range(args.trials):
        rng = np.random.default_rng([args.seed, trial])
        dims = draw_dimensions(names, rng)
        point = {
            v: sample(constraints.get(v, "any"), rng, resolve_shape(spec, dims))
            for v, spec in shapes.items()
        }
        result = check(f, derivative, point, wrt=args.wrt, layout=args.layout, method=args.method)
        all_ok = all_ok and result.passed
        results.append((trial, dims, result))
        rows.append(
            [
                trial,
                " ".join(f"{k}={v}" for k, v in dims.items()),
                result.layout,
                result.status,
                f"{result.max_rel_error:.1e}",
                result.evaluations,
            ]
        )
    if args.format == "json":
        out.write(
            json.dumps(
                {
                    "schema": 1,
                    "tool": "gradcheck",
                    "command": args.command,
                    "passed": all_ok,
                    "trials": [
                        {
                            "trial": t,
                            "dims": d,
                            "status": r.status,
                            "layout": r.layout,
                            "max_rel_error": r.max_rel_error,
                            "evaluations": r.evaluations,
                        }
                        for t, d, r in results
                    ],
                },
                indent=1,
            )
            + "\n"
        )
        return EXIT_OK if all_ok else EXIT_FAILED
    from tabulate import tabulate

    out.write(
        tabulate(
            rows,
            headers=["trial", "dims", "layout", "verdict", "max rel. err", "evals"],
            tablefmt=args.format,
        )
        + "\n"
    )
    worst = next((r for _, _, r in results if not r.passed), None)
    if worst is not None:
        out.write("\n" + str(worst) + "\n")
    verdict = "all trials passed" if all_ok else "a trial did not pass"
    out.write(_colour(_use_colour(out))(f"{verdict} ({args.trials} random shape draws)", all_ok))
    out.write("\n")
    return EXIT_OK if all_ok else EXIT_FAILED


def _cmd_formula(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    shapes = _parse_assignments(args.shapes, "--shapes")
    if args.wrt not in shapes:
        raise UnknownNameError(
            f"--wrt {args.wrt!r} has no --shapes entry; give e.g. '{args.wrt}=n'."
        )
    f = compile_expression(args.expr, shapes)
    claim = compile_expression(args.claim, shapes)
    return _random_checks(f, claim, shapes, _constraints(args.constraint, shapes), args, out)


def _load_callable(spec: str, what: str):
    if ":" not in spec:
        raise InvalidArgumentError(
            f"{what} must be MODULE:FUNC or path/to/file.py:FUNC; got {spec!r}."
        )
    module_name, func_name = spec.rsplit(":", 1)
    if module_name.endswith(".py"):
        import importlib.util

        path = Path(module_name)
        if not path.is_file():
            raise UnknownNameError(f"{what}: no file {module_name!r}.")
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(module_spec)  # type: ignore[arg-type]
        module_spec.loader.exec_module(module)  # type: ignore[union-attr]
    else:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise UnknownNameError(f"{what}: cannot import {module_name!r} ({exc}).") from exc
    try:
        func = getattr(module, func_name)
    except AttributeError:
        raise UnknownNameError(f"{what}: {module_name!r} has no {func_name!r}.") from None
    if not callable(func):
        raise InvalidArgumentError(f"{what}: {spec!r} is not callable.")
    return func


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    shapes = _parse_assignments(args.shapes, "--shapes")
    f = _load_callable(args.function, "the function")
    derivative = _load_callable(args.derivative, "--derivative")
    if args.wrt is None and len(shapes) > 1:
        raise InvalidArgumentError("--wrt is required when --shapes names several variables.")
    if len(shapes) == 1 and args.wrt is None:
        args.wrt = next(iter(shapes))
    return _random_checks(f, derivative, shapes, _constraints(args.constraint, shapes), args, out)


_COMMANDS = {
    "catalogue": _cmd_catalogue,
    "list": _cmd_list,
    "show": _cmd_show,
    "formula": _cmd_formula,
    "check": _cmd_check,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 usage error).

    Examples
    --------
    >>> main(["show", "no_such_identity"])  # the error message goes to stderr
    2
    """
    out, err = sys.stdout, sys.stderr
    try:
        args = _build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        if getattr(args, "trials", 1) < 1:
            raise InvalidArgumentError(f"--trials must be at least 1; got {args.trials}.")
        return _COMMANDS[args.command](args, out, err)
    except GradcheckError as exc:
        err.write(f"gradcheck: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("gradcheck: interrupted\n")
        return EXIT_USAGE


def console_main() -> None:
    """Entry point of the ``gradcheck`` console script."""
    sys.exit(main())
