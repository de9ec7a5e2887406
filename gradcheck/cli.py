"""The command line: ``gradcheck catalogue | list | show | formula | notes | check``.

One entry point, :func:`main`, used by the ``gradcheck`` console script and by
``python -m gradcheck``. Exit status: 0 when everything is as expected, 1 when a check failed or
a regression against a baseline was found, 2 on a usage or input error — a baseline that shares
no check with the run (nothing could be compared) included.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from .catalogue import (
    COMPLEX_CONSTRAINTS,
    CONSTRAINTS,
    Catalogue,
    CatalogueReport,
    available_jobs,
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
    validate_jobs,
)
from .engine import CONVENTIONS, LAYOUTS, METHOD_NAMES, seed_from_text
from .errors import GradcheckError, InvalidArgumentError, NonFiniteValueError, UnknownNameError
from .expressions import (
    FUNCTIONS,
    REQUIRED,
    CompiledExpression,
    compile_expression,
    refuse_dense_check,
)
from .latex import check_notes, check_notes_text, notes_document, notes_table
from .report import (
    BaselineError,
    compare_reports,
    junit_xml,
    load_report,
    markdown_summary,
    record_from_result,
    report_document,
    report_to_json,
)
from .verdict import check, check_hessian, counted, render_table, require_matplotlib

__all__ = ["main"]

TABLE_FORMATS = ("plain", "simple", "github", "grid", "latex", "html")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of the output went away


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so that main() returns 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InvalidArgumentError(f"{self.prog}: {message}")


def _argument_type(convert: Callable[[str], object]) -> Callable[[str], object]:
    """An argparse type from a converter raising GradcheckError: argparse shows our message
    (prefixed with the option's name) instead of a generic "invalid value"."""

    def parse(text: str) -> object:
        try:
            return convert(text)
        except GradcheckError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc

    parse.__name__ = convert.__name__
    return parse


@_argument_type
def _seed(text: str) -> int:
    return seed_from_text(text, name="--seed")


@_argument_type
def _trials(text: str) -> int:
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit() and int(stripped) >= 1):
        raise InvalidArgumentError(f"must be a positive integer such as 5; got {text!r}.")
    return int(stripped)


@_argument_type
def _jobs(text: str) -> int:
    stripped = text.strip()
    if not (stripped.isascii() and stripped.isdigit() and int(stripped) >= 1):
        raise InvalidArgumentError(
            f"must be a positive number of worker processes such as 2; got {text!r}."
        )
    return validate_jobs(int(stripped), name="--jobs")


@_argument_type
def _module(text: str) -> str:
    if not text.strip():
        raise InvalidArgumentError("must name a module (pkg.mod) or a .py file; got ''.")
    return text


@_argument_type
def _input_file(text: str) -> str:
    if not text.strip():
        raise InvalidArgumentError("must be a file name; got ''.")
    return text


@_argument_type
def _output_file(text: str) -> str:
    """A file the command will write: checked before the (possibly long) run starts."""
    if not text.strip():
        raise InvalidArgumentError("must be a file name; got ''.")
    path = Path(text)
    if path.is_dir():
        raise InvalidArgumentError(f"{text!r} is a directory; give a file name.")
    parent = path.parent
    if not parent.is_dir():
        raise InvalidArgumentError(f"cannot write {text!r}: directory {str(parent)!r} not found.")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InvalidArgumentError(f"cannot write {text!r}: permission denied.")
    return text


#: File types ``--plot`` writes (matplotlib's own backends, no extra libraries).
PLOT_SUFFIXES = (".png", ".pdf", ".svg", ".eps", ".ps")


def _plot_file(text: str) -> str:
    """``--plot FILE``: a writable file whose suffix names an image format."""
    path = _output_file(text)
    if Path(path).suffix.lower() not in PLOT_SUFFIXES:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no image suffix; use one of {', '.join(PLOT_SUFFIXES)} (e.g. FILE.png)."
        )
    return path


def _write_file(path: str, text: str, option: str) -> None:
    try:
        Path(path).write_text(text)
    except OSError as exc:
        raise InvalidArgumentError(f"{option}: cannot write {path!r}: {exc.strerror}.") from exc


_FORMULA_EPILOG = """\
formulas are numpy expressions over the --shapes variables: + - * / @ **, .T, indexing,
and the functions `gradcheck functions` lists (bare, np.- or np.linalg.-prefixed):
  trace/tr, det, logdet, inv, solve, diag, kron, vec, sym, einsum, sum, exp, log, ...
spellings from notes are read too: x' x^T x^{T} x^\\top (transpose), x^2 (power),
I (the identity, sized from its operand: A + I, I @ x), eye_like(X).
complex variables (--complex z, drawn with complex Gaussian entries unless --constraint says
hermitian, hpd, unitary, ...): conj(z), z.H z^H (conjugate transpose), real, imag, abs; the
claim is stated in --convention (wirtinger, conjugate_wirtinger, complex_gradient, ...).
example:  gradcheck formula "x^T @ A @ x" --claim "(A + A^T) @ x" --wrt x --shapes "x=n A=n,n"
example:  gradcheck formula "real(z^H @ z)" --claim "z" --wrt z --shapes "z=n" --complex z \
            --convention conjugate_wirtinger
"""


_PLOT_HELP = {
    "check": "draw the worst entry's finite-difference error against the step (needs "
    'matplotlib: pip install "gradcheck[plot]")',
    "catalogue": "draw each identity's worst error against its detection threshold (needs "
    'matplotlib: pip install "gradcheck[plot]")',
}


def _build_parser() -> _Parser:
    parser = _Parser(prog="gradcheck", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_catalogue_parser(sub.add_parser("catalogue", help="check the identity catalogue"))
    _add_list_parser(sub.add_parser("list", help="list the identities with formulas and sources"))
    show = sub.add_parser("show", help="one identity's card and a fresh check")
    show.add_argument("name")
    show.add_argument("--module", type=_module)
    show.add_argument("--seed", type=_seed, default=0)
    show.add_argument("--method", choices=METHOD_NAMES, default="central")
    show.add_argument("--plot", type=_plot_file, metavar="FILE.png", help=_PLOT_HELP["check"])
    _add_formula_parser(
        sub.add_parser(
            "formula",
            help="check a formula typed as numpy expressions",
            epilog=_FORMULA_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    notes = sub.add_parser("notes", help="check every formula of Markdown or LaTeX notes")
    notes.add_argument("files", nargs="+", type=_input_file, metavar="FILE")
    notes.add_argument("--format", choices=(*TABLE_FORMATS, "json"), default="simple")
    sub.add_parser("functions", help="list the functions a formula may call")
    chk = sub.add_parser("check", help="check a function pair from your code")
    chk.add_argument("function", metavar="MODULE:FUNC")
    chk.add_argument("--derivative", required=True, metavar="MODULE:FUNC")
    chk.add_argument("--shapes", required=True, help="e.g. 'x=n A=n,n'")
    chk.add_argument("--wrt")
    _add_common_check_options(chk)
    return parser


def _add_catalogue_parser(cat: argparse.ArgumentParser) -> None:
    cat.add_argument("--family", action="append", help="only this family (repeatable)")
    cat.add_argument("--select", nargs="+", metavar="NAME", help="names or glob patterns")
    cat.add_argument("--layout", choices=("numerator", "denominator", "both"), default="both")
    cat.add_argument("--trials", type=_trials, default=10)
    cat.add_argument("--seed", type=_seed, default=0)
    cat.add_argument("--method", choices=METHOD_NAMES, default="central")
    cat.add_argument("--module", type=_module, help="a module or .py file with your identities")
    cat.add_argument(
        "--jobs",
        type=_jobs,
        metavar="N",
        help="worker processes to spread the identities over (default: the CPUs available "
        "to this process; 1: in this process); the output is the same as with --jobs 1",
    )
    cat.add_argument(
        "--format",
        choices=(*TABLE_FORMATS, "json", "markdown"),
        default="simple",
        help="output format (markdown: a summary for a CI job, e.g. >> $GITHUB_STEP_SUMMARY)",
    )
    cat.add_argument("--save", type=_output_file, metavar="FILE.json", help="write JSON report")
    cat.add_argument(
        "--junit-xml",
        type=_output_file,
        metavar="FILE.xml",
        help="write a JUnit XML report: one testcase per identity and layout",
    )
    cat.add_argument(
        "--baseline",
        type=_input_file,
        metavar="FILE.json",
        help="compare with a saved report: settings that differ, checks in one run only, "
        "verdicts and errors (exit 2 when no check is in both runs)",
    )
    cat.add_argument("--plot", type=_plot_file, metavar="FILE.png", help=_PLOT_HELP["catalogue"])


def _add_list_parser(lst: argparse.ArgumentParser) -> None:
    lst.add_argument("--family", action="append")
    lst.add_argument("--module", type=_module)
    lst.add_argument("--format", choices=(*TABLE_FORMATS, "markdown"), default="simple")
    lst.add_argument("--output", type=_output_file, metavar="FILE", help="write to FILE")
    lst.add_argument(
        "--wide",
        action="store_true",
        help="do not fit the table to the terminal's width (COLUMNS); markdown and --output "
        "are never fitted",
    )


def _add_formula_parser(formula: argparse.ArgumentParser) -> None:
    formula.add_argument("expr", nargs="?", help="the function, e.g. 'x @ A @ x'")
    formula.add_argument("--claim", help="the claimed derivative (required without --latex)")
    formula.add_argument("--wrt", help="the variable (required without --latex)")
    formula.add_argument("--shapes", help="e.g. 'x=n A=n,n c=' (c scalar; without --latex)")
    formula.add_argument("--latex", metavar="STATEMENT", help=_LATEX_HELP)
    formula.add_argument(
        "--order",
        type=int,
        choices=(1, 2),
        default=1,
        help="1: --claim is the first derivative; 2: --claim is the Hessian of a scalar formula "
        "(--layout tensor: shape x.shape + x.shape; numerator: the vec form; default and "
        "auto: whichever the claim's shape fits)",
    )
    formula.add_argument(
        "--complex",
        action="append",
        default=[],
        metavar="VAR",
        help="VAR is complex (repeatable; drawn with the 'complex' constraint unless "
        f"--constraint gives one of {', '.join(COMPLEX_CONSTRAINTS)})",
    )
    formula.add_argument(
        "--convention",
        choices=(*CONVENTIONS, "auto"),
        help="the convention of a derivative by a complex --wrt (required there; auto: "
        "report every convention the claim satisfies)",
    )
    _add_common_check_options(formula)


def _add_common_check_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--constraint",
        action="append",
        default=[],
        metavar="VAR=NAME",
        help=f"draw VAR with a property (repeatable): {', '.join(sorted(CONSTRAINTS))}; "
        f"complex: {', '.join(COMPLEX_CONSTRAINTS)}",
    )
    p.add_argument(
        "--layout",
        choices=(*LAYOUTS, "auto"),
        default="denominator",
        help="layout of the claim (default: denominator, the transpose of the Jacobian: a "
        "scalar f's gradient has x's shape; numerator: the Jacobian's orientation, rows "
        "follow f; tensor: f.shape + x.shape; auto: whichever the claim's shape fits)",
    )
    p.add_argument("--trials", type=_trials, default=5)
    p.add_argument("--seed", type=_seed, default=0)
    p.add_argument("--method", choices=METHOD_NAMES, default="central")
    p.add_argument("--format", choices=(*TABLE_FORMATS, "json"), default="simple")
    p.add_argument("--save", type=_output_file, metavar="FILE.json", help="write JSON report")
    p.add_argument("--plot", type=_plot_file, metavar="FILE.png", help=_PLOT_HELP["check"])


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
    if module is None:
        return installed_catalogue()
    try:
        return load_catalogue(module)
    except GradcheckError:
        raise
    except (Exception, SystemExit) as exc:  # the user's module raised while imported
        raise InvalidArgumentError(
            f"--module {module!r}: importing it raised {type(exc).__name__}: {exc}"
        ) from exc


@contextlib.contextmanager
def _working_directory_importable(wanted: bool) -> Iterator[None]:
    """While a command runs user code, modules of the working directory import by name, as
    under ``python -m`` (the console script's own ``sys.path[0]`` is its bin directory)."""
    cwd = os.getcwd()
    add = wanted and cwd not in sys.path and "" not in sys.path
    if add:
        sys.path.insert(0, cwd)
    try:
        yield
    finally:
        if add and cwd in sys.path:
            sys.path.remove(cwd)


def _cmd_catalogue(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    layouts = ("numerator", "denominator") if args.layout == "both" else (args.layout,)
    if args.plot:
        require_matplotlib()  # before the run, not after it
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
        jobs=available_jobs() if args.jobs is None else args.jobs,
    )
    data = report_to_json(report)
    if args.plot:
        report.plot(args.plot)
    if args.save:
        _write_file(args.save, _json_text(data), "--save")
    regressions = compare_reports(data, baseline) if baseline is not None else None
    if args.junit_xml:
        _write_file(args.junit_xml, junit_xml(report), "--junit-xml")
    if args.format == "json":
        out.write(_json_text(data))
    elif args.format == "markdown":
        out.write(markdown_summary(report))
        if regressions is not None:
            out.write(f"\n#### Against baseline {args.baseline}\n\n")
            out.write(regressions.text("github") + "\n")
    else:
        out.write(_catalogue_text(report, args.format, _use_colour(out)) + "\n")
        if regressions is not None:
            out.write(f"\nagainst baseline {args.baseline}:\n")
            out.write(regressions.text(args.format) + "\n")
    if regressions is not None and not regressions.comparable:
        raise BaselineError(
            f"--baseline {args.baseline!r} shares no check (identity, layout and trial) with "
            "this run, so nothing was compared: run with the baseline's settings, or save a "
            "new baseline with --save."
        )
    if not report.ok or (regressions is not None and regressions.regressed):
        return EXIT_FAILED
    return EXIT_OK


def _catalogue_text(report: CatalogueReport, tablefmt: str, colour: bool) -> str:
    paint = _colour(colour)
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
    table = render_table(rows, headers, tablefmt=tablefmt)
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
    if args.format == "markdown":
        text = render_markdown(catalogue)
    else:
        width = None if args.wide or args.output else _terminal_width(out)
        text = render_listing(catalogue, args.format, width=width)
    text = text if text.endswith("\n") else text + "\n"
    if args.output:
        _write_file(args.output, text, "--output")
    else:
        out.write(text)
    return EXIT_OK


def _terminal_width(out: TextIO) -> int | None:
    """The width to fit a listing to: the terminal's, or COLUMNS when it is set; None (do not
    fit) when the output goes to a pipe or a file and COLUMNS is not set."""
    if "COLUMNS" in os.environ or out.isatty():
        return shutil.get_terminal_size().columns
    return None


def _cmd_show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.plot:
        require_matplotlib()
    catalogue = _catalogue(args.module)
    entry = catalogue[args.name]
    for label, text in identity_card(entry, catalogue).lines():
        out.write(f"{label + ':':<12} {text}\n")
    rng = entry.seed_sequence(args.seed, 0)
    dims, point = entry.draw(rng)
    shapes = {v: resolve_shape(s, dims) for v, s in entry.shapes.items()}
    out.write(f"{'check:':<12} shapes {shapes}, seed {args.seed}\n\n")
    result = entry.check(point, method=args.method)
    out.write(str(result) + "\n")
    if args.plot:
        result.plot(args.plot)
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
        if name in out:
            raise InvalidArgumentError(f"{what} gives {name!r} twice; give each variable once.")
        out[name] = value.replace(",", " ").strip("()")
    return out


def _parse_shapes(text: str) -> dict[str, str]:
    """``--shapes``: NAME=SPEC pairs, each SPEC parsed now (its values are drawn later)."""
    shapes = _parse_assignments(text, "--shapes")
    if not shapes:
        raise InvalidArgumentError("--shapes names no variable; give e.g. 'x=n A=n,n'.")
    for name, spec in shapes.items():
        try:
            dimension_names([spec])
        except InvalidArgumentError as exc:
            raise InvalidArgumentError(f"--shapes {name}={spec}: {exc}") from exc
    return shapes


def _draw_shapes(
    shapes: dict[str, str], names: list[str], rng: np.random.Generator
) -> tuple[dict[str, int], dict[str, tuple[int, ...]]]:
    """Random dimensions and the concrete shape of every variable."""
    dims = draw_dimensions(names, rng)
    concrete = {}
    for var, spec in shapes.items():
        try:
            concrete[var] = resolve_shape(spec, dims)
        except InvalidArgumentError as exc:
            raise InvalidArgumentError(f"--shapes {var}={spec}: {exc}") from exc
    return dims, concrete


def _sample_point(
    shapes: dict[str, tuple[int, ...]], constraints: dict[str, str], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    point = {}
    for var, shape in shapes.items():
        constraint = constraints.get(var, "any")
        try:
            point[var] = sample(constraint, rng, shape)
        except InvalidArgumentError as exc:
            raise InvalidArgumentError(f"--constraint {var}={constraint}: {exc}") from exc
    return point


def _at_shapes(function: Any, shapes: dict[str, tuple[int, ...]], what: str) -> Any:
    """A typed formula analysed at concrete `shapes` before anything is allocated (its budgets
    and shape rules checked statically; calls then take stacks of points); any other callable
    as it is."""
    if not isinstance(function, CompiledExpression):
        return function
    try:
        return function.with_shapes(shapes)
    except GradcheckError as exc:
        listed = ", ".join(f"{k}={v}" for k, v in shapes.items())
        raise InvalidArgumentError(f"{what} at shapes {listed}: {exc}") from exc


def _refuse_costly_check(
    f: Any, shapes: dict[str, tuple[int, ...]], dims: dict, args: argparse.Namespace
) -> None:
    """A usage error, before anything is evaluated, when the dense check by --wrt at these
    shapes would exceed ``Limits.max_check_work`` (f's size and work from its static analysis
    when it is a formula, else counted as 0: a lower bound)."""
    analysis = f.analysis if isinstance(f, CompiledExpression) else None
    f_size = 0 if analysis is None else int(np.prod(analysis.shape, dtype=np.int64))
    work = 0 if analysis is None else analysis.work
    x_size = int(np.prod(shapes[args.wrt], dtype=np.int64))
    try:
        refuse_dense_check(x_size, f_size, work, wrt=args.wrt, order=getattr(args, "order", 1))
    except GradcheckError as exc:
        drawn = " ".join(f"{k}={v}" for k, v in dims.items())
        raise type(exc)(f"{exc}{f' (drawn {drawn})' if drawn else ''}") from None


def _constraints(items: Sequence[str], shapes: dict[str, str]) -> dict[str, str]:
    out = {}
    for item in items:
        parsed = _parse_assignments(item, "--constraint")
        for name, constraint in parsed.items():
            if name not in shapes:
                raise UnknownNameError(f"--constraint names {name!r}, which has no --shapes entry.")
            if constraint not in CONSTRAINTS and constraint not in COMPLEX_CONSTRAINTS:
                try:
                    sample(constraint, np.random.default_rng(0), ())  # raises with suggestions
                except GradcheckError as exc:
                    raise UnknownNameError(f"--constraint {item}: {exc}") from exc
            out[name] = constraint
    return out


def _random_checks(f, derivative, shapes, constraints, args, out: TextIO) -> int:
    """``formula`` and ``check``: one check per random draw of shapes and values."""
    names = dimension_names(list(shapes.values()))
    if args.plot:
        require_matplotlib()
    start = time.perf_counter()
    results, records = [], []
    for trial in range(args.trials):
        began = time.perf_counter()
        rng = np.random.default_rng([args.seed, trial])
        dims, concrete = _draw_shapes(shapes, names, rng)
        f_at = _at_shapes(f, concrete, "the formula")
        _refuse_costly_check(f_at, concrete, dims, args)
        derivative_at = _at_shapes(derivative, concrete, "--claim")
        point = _sample_point(concrete, constraints, rng)
        try:
            result = _check_draw(f_at, derivative_at, point, args)
        except NonFiniteValueError as exc:
            raise NonFiniteValueError(f"{exc}{_constraint_hint(shapes, constraints)}") from exc
        results.append((trial, dims, result))
        records.append(
            record_from_result(
                result,
                name=args.expr if args.command == "formula" else args.function,
                trial=trial,
                shapes={var: np.shape(value) for var, value in point.items()},
                seconds=time.perf_counter() - began,
            )
        )
    data = report_document(
        records,
        command=args.command,
        seed=args.seed,
        trials=args.trials,
        method=args.method,
        layouts=sorted({r["layout"] for r in records}),
        seconds=time.perf_counter() - start,
        options=_check_options(args, shapes, constraints),
        diagnosis=_shown_diagnosis(results),
    )
    if args.save:
        _write_file(args.save, _json_text(data), "--save")
    if args.plot:
        _shown_trial(results).plot(args.plot)
    out.write(_json_text(data) if args.format == "json" else _trials_text(results, args, out))
    return EXIT_OK if data["ok"] else EXIT_FAILED


def _check_options(args: argparse.Namespace, shapes: dict, constraints: dict) -> dict[str, Any]:
    """What defines a ``formula`` or ``check`` run besides its settings, for the JSON report."""
    if args.command == "formula":
        what = {"expression": args.expr, "claim": args.claim}
    else:
        what = {"function": args.function, "derivative": args.derivative}
    complex_part = {}
    if getattr(args, "convention", None) is not None:
        complex_vars = [v for v, c in constraints.items() if c in COMPLEX_CONSTRAINTS]
        complex_part = {"complex": complex_vars, "convention": args.convention}
    return {
        **what,
        "wrt": args.wrt,
        "shapes": dict(shapes),
        "constraints": dict(constraints),
        "layout": args.layout,
        **complex_part,
    }


def _shown_diagnosis(results: list) -> str | None:
    """The diagnosis of the trial the text report shows (the most informative failure)."""
    shown = _most_informative([(dims, r) for _, dims, r in results if not r.passed])
    return None if shown is None or shown.diagnosis is None else str(shown.diagnosis)


#: `--layout` of `formula --order 2`: the Hessian layouts (a vector's Hessian is the same
#: matrix in "vec" and "auto").
_HESSIAN_LAYOUTS = {"denominator": "auto", "auto": "auto", "numerator": "vec", "tensor": "tensor"}


def _check_draw(f: Any, claim: Any, point: dict, args: argparse.Namespace) -> Any:
    """One draw's check: of the first derivative, or (``formula --order 2``) the Hessian."""
    if getattr(args, "order", 1) == 2:
        layout = _HESSIAN_LAYOUTS[args.layout]
        return check_hessian(f, claim, point, wrt=args.wrt, layout=layout, method=args.method)
    convention = getattr(args, "convention", None)
    if convention is not None:
        return check(
            f,
            claim,
            point,
            wrt=args.wrt,
            layout=args.layout,
            convention=convention,
            method=args.method,
        )
    return check(f, claim, point, wrt=args.wrt, layout=args.layout, method=args.method)


def _trials_text(results: list, args: argparse.Namespace, out: TextIO) -> str:
    """The trials as a table, the first failing trial's report and a closing line."""
    rows = [
        [
            trial,
            " ".join(f"{k}={v}" for k, v in dims.items()),
            result.layout,
            result.status,
            f"{result.max_rel_error:.1e}",
            result.evaluations,
        ]
        for trial, dims, result in results
    ]
    text = render_table(
        rows,
        ["trial", "dims", "layout", "verdict", "max rel. err", "evals"],
        tablefmt=args.format,
        numparse=True,
    )
    text += "\n"
    shown = _most_informative([(dims, r) for _, dims, r in results if not r.passed])
    if shown is not None:
        text += "\n" + str(shown) + "\n" + _layout_hint(shown, args.layout)
    failed = sum(not r.passed for _, _, r in results)
    total = len(results)
    draws = counted(total, "random shape draw")
    if failed == 0:
        verdict = f"all trials passed ({draws})"
    else:
        verdict = f"{failed} of {total} trials did not pass ({draws})"
    return text + _colour(_use_colour(out))(verdict, failed == 0) + "\n"


def _constraint_hint(shapes: dict[str, str], constraints: dict[str, str]) -> str:
    """What to try when f is not finite at a random point: a constraint on the variables that
    have none (log, det, inv and sqrt need spd or positive inputs)."""
    free = [var for var in shapes if var not in constraints]
    if not free:
        return ""
    example = next((v for v in free if len(shapes[v].replace(",", " ").split()) == 2), free[0])
    kind = "spd" if len(shapes[example].replace(",", " ").split()) == 2 else "positive"
    return (
        f" The variables were drawn without constraints ({', '.join(free)}): draw them where f "
        f"is defined, e.g. --constraint {example}={kind} (constraints: "
        f"{', '.join(sorted(CONSTRAINTS))})."
    )


def _shown_trial(results: list) -> Any:
    """The trial ``--plot`` draws: the failing one the report shows, else the most
    informative of all."""
    failing = _most_informative([(dims, r) for _, dims, r in results if not r.passed])
    return failing if failing is not None else _most_informative([(d, r) for _, d, r in results])


def _most_informative(failures: list) -> Any:
    """The failing result whose draw says most: the most distinct dimension sizes, then the
    largest variable (a 1 x 1 draw hides transposes and symmetry)."""
    if not failures:
        return None

    def informative(item) -> tuple[int, int]:
        dims, result = item
        return len(set(dims.values())), int(np.prod(result.x_shape))

    return max(failures, key=informative)[1]


def _layout_hint(result: Any, declared: str) -> str:
    """The flag to pass when the claim holds in another layout than the declared one."""
    diagnosis = result.diagnosis
    if diagnosis is None or diagnosis.kind != "layout" or diagnosis.layout in (None, declared):
        return ""
    return (
        f"the claim holds in the {diagnosis.layout} layout: pass --layout {diagnosis.layout} "
        f"(or --layout auto)\n"
    )


def _json_text(data: dict) -> str:
    return json.dumps(data, indent=1) + "\n"


def _check_wrt(wrt: str, shapes: dict[str, str]) -> None:
    if wrt not in shapes:
        example = f"'{wrt}=n'" if wrt.isidentifier() else "'x=n' and --wrt x"
        raise UnknownNameError(
            f"--wrt {wrt!r} has no --shapes entry (variables: {', '.join(shapes)}); "
            f"give e.g. {example}."
        )


def _compile(source: str, shapes: dict[str, str], what: str):
    """compile_expression, with whatever it raises as one usage error naming the argument."""
    try:
        return compile_expression(source, shapes)
    except GradcheckError as exc:
        raise InvalidArgumentError(f"{what}: {exc}") from exc
    except RecursionError as exc:
        raise InvalidArgumentError(
            f"{what}: the expression is nested too deeply to compile; simplify it."
        ) from exc
    except Exception as exc:  # the compiler must not turn a bad formula into a traceback
        raise InvalidArgumentError(
            f"{what}: the expression cannot be compiled ({type(exc).__name__}: {exc})."
        ) from exc


def _cmd_formula(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    shapes = _parse_shapes(args.shapes)
    _check_wrt(args.wrt, shapes)
    constraints = _complex_constraints(args, shapes, _constraints(args.constraint, shapes))
    f = _compile(args.expr, shapes, "the formula")
    claim = _compile(args.claim, shapes, "--claim")
    return _random_checks(f, claim, shapes, constraints, args, out)


def _complex_constraints(
    args: argparse.Namespace, shapes: dict[str, str], constraints: dict[str, str]
) -> dict[str, str]:
    """`constraints` with the 'complex' constraint for every --complex variable that has none,
    after checking --complex and --convention against the variables and --wrt."""
    for var in args.complex:
        if var not in shapes:
            raise UnknownNameError(f"--complex names {var!r}, which has no --shapes entry.")
        given = constraints.get(var, "complex")
        if given not in COMPLEX_CONSTRAINTS:
            raise InvalidArgumentError(
                f"--complex {var} with --constraint {var}={given}: {given!r} draws real "
                f"arrays; use a complex one: {', '.join(COMPLEX_CONSTRAINTS)}."
            )
        constraints = {**constraints, var: given}
    complex_wrt = constraints.get(args.wrt) in COMPLEX_CONSTRAINTS
    if complex_wrt and args.convention is None:
        raise InvalidArgumentError(
            f"--wrt {args.wrt} is complex: give the claim's --convention, one of "
            f"{', '.join(CONVENTIONS)}, or auto (which reports every one it satisfies)."
        )
    if args.convention is not None and not complex_wrt:
        raise InvalidArgumentError(
            f"--convention is for a complex --wrt; {args.wrt} is real (declare it with "
            f"--complex {args.wrt}, or drop --convention)."
        )
    if complex_wrt and args.order != 1:
        raise InvalidArgumentError(
            "--order 2 checks Hessians of real variables; drop --complex or --order 2."
        )
    return constraints


_LATEX_HELP = (
    "a LaTeX statement instead of EXPR/--claim/--wrt/--shapes, e.g. "
    "'\\frac{\\partial x^T A x}{\\partial x} = (A + A^T) x': shapes from the notation, "
    "both layouts tried, every link of a chain A = B = C checked"
)


def _cmd_formula_or_latex(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``formula --latex STATEMENT`` or ``formula EXPR --claim ... --wrt ... --shapes ...``."""
    if args.latex is not None:
        given = [name for name in ("expr", "claim", "wrt", "shapes") if getattr(args, name)]
        if given:
            listed = ", ".join("EXPR" if g == "expr" else f"--{g}" for g in given)
            raise InvalidArgumentError(f"--latex takes the whole statement; drop {listed}.")
        if args.order != 1:
            raise InvalidArgumentError(
                "--latex reads first derivatives, differentials and identities; --order 2 "
                "needs EXPR and a Hessian --claim."
            )
        if args.complex or args.convention:
            raise InvalidArgumentError(
                "--latex reads real statements; for complex variables give EXPR, --claim, "
                "--wrt, --shapes with --complex VAR and --convention."
            )
        return _cmd_latex_formula(args, out, err)
    missing = [name for name in ("expr", "claim", "wrt", "shapes") if not getattr(args, name)]
    if missing:
        listed = ", ".join("EXPR" if m == "expr" else f"--{m}" for m in missing)
        raise InvalidArgumentError(
            f"formula needs EXPR, --claim, --wrt and --shapes (missing: {listed}), or one "
            f"--latex STATEMENT."
        )
    return _cmd_formula(args, out, err)


def _cmd_latex_formula(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    record = check_notes_text(f"$${args.latex}$$", "--latex")
    if not record:
        raise InvalidArgumentError(
            "--latex: no statement to check (write `F = G`, e.g. "
            "'\\frac{\\partial F}{\\partial X} = G')."
        )
    if record[0].verdict == "unparsed":
        raise InvalidArgumentError(f"--latex: cannot read the statement: {record[0].reason}.")
    return _write_notes(record, args.format, out)


def _cmd_notes(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    records = [record for path in args.files for record in check_notes(path)]
    return _write_notes(records, args.format, out)


def _write_notes(records: list, tablefmt: str, out: TextIO) -> int:
    document = notes_document(records)
    out.write(_json_text(document) if tablefmt == "json" else notes_table(records, tablefmt))
    return EXIT_OK if document["ok"] else EXIT_FAILED


def _load_callable(spec: str, what: str):
    """``MODULE:FUNC`` or ``path/to/file.py:FUNC``: the function, or a usage error."""
    module_name, _, func_name = spec.rpartition(":")
    if not module_name.strip() or not func_name.isidentifier():
        raise InvalidArgumentError(
            f"{what} must be MODULE:FUNC or path/to/file.py:FUNC; got {spec!r}."
        )
    module = _import_user_module(module_name, what)
    try:
        func = getattr(module, func_name)
    except AttributeError:
        raise UnknownNameError(f"{what}: {module_name!r} has no {func_name!r}.") from None
    if not callable(func):
        raise InvalidArgumentError(f"{what}: {spec!r} is not callable.")
    return func


def _import_user_module(module_name: str, what: str):
    try:
        if not module_name.endswith(".py"):
            return importlib.import_module(module_name)
        path = Path(module_name)
        if not path.is_file():
            raise UnknownNameError(f"{what}: no file {module_name!r}.")
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(module_spec)  # type: ignore[arg-type]
        module_spec.loader.exec_module(module)  # type: ignore[union-attr]
        return module
    except GradcheckError:
        raise
    except ModuleNotFoundError as exc:
        raise UnknownNameError(f"{what}: cannot import {module_name!r} ({exc}).") from exc
    except (Exception, SystemExit) as exc:  # the user's module raised while imported
        raise InvalidArgumentError(
            f"{what}: importing {module_name!r} raised {type(exc).__name__}: {exc}"
        ) from exc


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    shapes = _parse_shapes(args.shapes)
    if args.wrt is None and len(shapes) > 1:
        raise InvalidArgumentError("--wrt is required when --shapes names several variables.")
    if args.wrt is None:
        args.wrt = next(iter(shapes))
    _check_wrt(args.wrt, shapes)
    constraints = _constraints(args.constraint, shapes)
    f = _load_callable(args.function, "the function")
    derivative = _load_callable(args.derivative, "--derivative")
    return _random_checks(f, derivative, shapes, constraints, args, out)


def _cmd_functions(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    rows = []
    for name, fn in sorted(FUNCTIONS.items()):
        params = ", ".join(
            p.name if p.default is REQUIRED else f"{p.name}={p.default!r}" for p in fn.params
        )
        other = sorted({n.split(".")[-1] for n in fn.names} - {name})
        rows.append([f"{name}({params})", ", ".join(other)])
    out.write(render_table(rows, ["function", "also spelt"]) + "\n")
    out.write(
        "operators: + - * / // % @ ** (constant exponents), .T, .mT, comparisons, indexing with "
        "constants; the identity I; spellings x' x^T x^2; np. and np.linalg. prefixes\n"
    )
    return EXIT_OK


_COMMANDS = {
    "catalogue": _cmd_catalogue,
    "functions": _cmd_functions,
    "list": _cmd_list,
    "show": _cmd_show,
    "formula": _cmd_formula_or_latex,
    "notes": _cmd_notes,
    "check": _cmd_check,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 usage error).

    Every usage or input error, and anything user code raises while it is imported, is one
    line on stderr and exit status 2; 1 always means that a check failed. When the reader of
    the output goes away (``gradcheck list | head``), the command stops quietly with status
    141, as a program killed by SIGPIPE does.

    Examples
    --------
    >>> main(["show", "no_such_identity"])  # the error message goes to stderr
    2
    """
    out, err = sys.stdout, sys.stderr
    try:
        words = _attach_expressions(list(sys.argv[1:] if argv is None else argv))
        args = _build_parser().parse_args(words)
        user_code = args.command == "check" or getattr(args, "module", None) is not None
        # what user code prints goes to stderr: stdout carries only the report (JSON parses)
        user_prints = contextlib.redirect_stdout(err) if user_code else contextlib.nullcontext()
        with _working_directory_importable(user_code), _quiet_warnings(err), user_prints:
            status = _COMMANDS[args.command](args, out, err)
        out.flush()  # here, not at exit: a closed pipe is then a BrokenPipeError caught below
        return status
    except GradcheckError as exc:
        err.write(f"gradcheck: error: {_one_line(exc)}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("gradcheck: interrupted\n")
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away (`gradcheck list | head`): stop quietly
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # a bug in gradcheck: still one line, and never status 1
        err.write(
            f"gradcheck: internal error: {type(exc).__name__}: {_one_line(exc)} "
            "(a bug in gradcheck; please report it with the command line)\n"
        )
        return EXIT_USAGE


#: Options whose value is an expression, which may start with a minus sign (``-inv(X).T``).
_EXPRESSION_OPTIONS = ("--claim", "--latex")


def _attach_expressions(words: list[str]) -> list[str]:
    """``--claim -inv(X).T`` as ``--claim=-inv(X).T``: argparse takes a value that starts with
    '-' and has no space for an option, so a derivative that begins with a minus would be
    refused (``expected one argument``) or accepted depending on its spacing."""
    joined: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        value = words[i + 1] if i + 1 < len(words) else ""
        if word in _EXPRESSION_OPTIONS and value.startswith("-") and not value.startswith("--"):
            joined.append(f"{word}={words[i + 1]}")
            i += 2
            continue
        joined.append(word)
        i += 1
    return joined


@contextlib.contextmanager
def _quiet_warnings(err: TextIO) -> Iterator[None]:
    """Warnings as one line each; numpy's floating-point warnings off (user functions evaluated
    at random points overflow or leave their domain, which the checks themselves report)."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        err.write(f"gradcheck: warning: {' '.join(str(message).split())}\n")

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.showwarning = show
        yield


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises no second BrokenPipeError
    (the recipe of the Python documentation's note on SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (a test's StringIO)
        pass


def _one_line(exc: BaseException) -> str:
    """The message of `exc` on one line (multi-line reports are joined with spaces)."""
    return " ".join(str(exc).split())


def console_main() -> None:
    """Entry point of the ``gradcheck`` console script."""
    sys.exit(main())
