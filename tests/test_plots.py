"""Pictures of the evidence (gradcheck.engine.sweep, gradcheck.verdict.plots and sweeps,
gradcheck.catalogue.plots, ``--plot``): the data they draw, the physics of the V-shaped curve,
valid PNG files, and the error naming the extra when matplotlib is missing."""

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import gradcheck
from gradcheck.catalogue import ERROR_FLOOR, detection_chart
from gradcheck.cli import main
from gradcheck.engine import make_target, step_sweep, validate_method
from gradcheck.verdict import entry_sweep
from tests.cli_run import gradcheck_main

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXTRA = 'pip install "gradcheck[plot]"'


@pytest.fixture
def mpl():
    """matplotlib with the headless backend (the plots never use pyplot, but a user may)."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    return matplotlib


def _assert_png(path: Path, mpl) -> None:
    import matplotlib.image

    assert path.read_bytes()[:8] == PNG_SIGNATURE
    pixels = matplotlib.image.imread(path)
    assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100


def _theil_sen(x: np.ndarray, y: np.ndarray) -> float:
    """Median of the pairwise slopes of log10 y against log10 x: robust to the odd lucky
    rounding in the small-step regime."""
    lx, ly = np.log10(x), np.log10(y)
    i, j = np.triu_indices(lx.size, 1)
    return float(np.median((ly[j] - ly[i]) / (lx[j] - lx[i])))


# The sweep itself (engine) ----------------------------------------------------------------

SMOOTH = {
    "sin at 0.7": (lambda x: np.sum(np.sin(x)), np.cos, np.array([0.7, 0.35])),
    "exp at 0.9": (lambda x: np.sum(np.exp(x)), np.exp, np.array([0.9, -0.4, 0.15])),
    "sin at 1.1": (lambda x: np.sum(np.sin(x)), np.cos, np.array([1.1])),
}


@pytest.mark.parametrize("case", list(SMOOTH))
def test_central_differences_make_a_v_rounding_like_eps_over_h_truncation_like_h2(case):
    f, derivative, x = SMOOTH[case]
    result = gradcheck.check(f, derivative(x), x)
    evidence = result.step_sweep()
    sweep = evidence.sweep
    assert sweep.method == "central" and sweep.stopped is None
    # the ladder spans both sides of the step used
    assert sweep.steps[0] <= evidence.step_used * 1e-4
    assert sweep.steps[-1] >= 1e3 * evidence.step_used
    small = (sweep.steps <= evidence.step_used * 1e-2) & (sweep.errors > 0)
    large = (sweep.steps >= evidence.step_used * 1e2) & (sweep.errors > 0)
    assert small.sum() >= 6 and large.sum() >= 6
    # rounding: error ~ eps |f| / h (slope -1); truncation: ~ h^2 f'''/6 (slope 2)
    assert -1.6 < _theil_sen(sweep.steps[small], sweep.errors[small]) < -0.4
    assert 1.6 < _theil_sen(sweep.steps[large], sweep.errors[large]) < 2.4
    # the bottom of the V is far below both ends, and the check's step lies in it
    bottom = sweep.errors.min()
    assert sweep.errors[0] > 100 * bottom and sweep.errors[-1] > 100 * bottom
    at_step = sweep.errors[np.argmin(np.abs(np.log(sweep.steps / evidence.step_used)))]
    assert at_step < evidence.tolerance


def test_forward_differences_truncate_like_h():
    x = np.array([0.7])
    target = make_target(lambda x: np.sin(x), x, None)
    method = validate_method("forward")
    sweep = step_sweep(target, method, coordinate=0, output=0, step_used=1.5e-8 * 0.7)
    large = sweep.steps >= 1e-5
    assert large.sum() >= 6
    assert 0.8 < _theil_sen(sweep.steps[large], sweep.errors[large]) < 1.2


def test_the_reference_is_the_derivative_and_the_values_are_the_method_at_each_step():
    x = np.array([0.7, 0.35])
    target = make_target(lambda x: np.sin(x), x, None)
    sweep = step_sweep(target, validate_method("central"), coordinate=1, output=1, step_used=1e-5)
    assert abs(sweep.reference - np.cos(0.35)) < 1e-12
    # the central quotient at each step, computed here by hand
    by_hand = (np.sin(0.35 + sweep.steps) - np.sin(0.35 - sweep.steps)) / (2 * sweep.steps)
    np.testing.assert_allclose(sweep.values, by_hand, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(sweep.errors, np.abs(sweep.values - sweep.reference))
    assert not sweep.steps.flags.writeable and np.all(np.diff(sweep.steps) > 0)


def test_the_ladder_stops_where_f_is_not_finite():
    # log(x - 0.999) at x = 1: steps beyond 1e-3 leave the domain
    def f(x):
        with np.errstate(invalid="ignore"):
            return np.log(x - 0.999)

    target = make_target(f, np.array([1.0]), None)
    sweep = step_sweep(target, validate_method("central"), coordinate=0, output=0, step_used=1e-6)
    assert sweep.stopped is not None and "non-finite" in sweep.stopped
    assert sweep.steps.size == sweep.values.size > 0 and sweep.steps[-1] < 1e-3
    assert abs(sweep.reference - 1000.0) < 1e-6 * 1000  # d/dx log(x - 0.999) at 1


@pytest.mark.parametrize("bad", [{"coordinate": 3}, {"output": 1}, {"step_used": 0.0}])
def test_the_sweep_refuses_entries_that_do_not_exist(bad):
    target = make_target(lambda x: np.sum(x**2), np.ones(2), None)
    kwargs = {"coordinate": 0, "output": 0, "step_used": 1e-5, **bad}
    with pytest.raises(gradcheck.InvalidArgumentError, match=next(iter(bad))):
        step_sweep(target, validate_method("central"), **kwargs)


# The worst entry of a result (verdict) ------------------------------------------------------


@pytest.mark.parametrize("layout", ["numerator", "denominator", "tensor"])
def test_the_swept_entry_is_the_worst_entry_in_every_layout(layout):
    rng = np.random.default_rng(3)
    A, x = rng.standard_normal((3, 4)), rng.standard_normal(4)
    f = lambda x: A @ x + x[:3] ** 3  # noqa: E731
    jac = A + np.hstack([np.diag(3 * x[:3] ** 2), np.zeros((3, 1))])  # df_i/dx_j
    claimed = {"numerator": jac, "denominator": jac.T, "tensor": jac}[layout].copy()
    wrong = (2, 1) if layout != "denominator" else (1, 2)  # entry df_2/dx_1
    claimed[wrong] += 0.5
    result = gradcheck.check(f, claimed, x, layout=layout)
    assert result.status == "failed" and result.worst_index == wrong
    evidence = entry_sweep(result)
    assert evidence.index == wrong and evidence.layout == layout
    assert (evidence.sweep.output, evidence.sweep.coordinate) == (2, 1)
    assert abs(evidence.sweep.reference - jac[2, 1]) < 1e-9
    assert abs(evidence.discrepancy - 0.5) < 1e-8
    assert evidence.tolerance == result.tolerance[wrong]
    assert evidence.claimed == claimed[wrong]


def test_results_without_an_estimate_to_sweep_say_so():
    result = gradcheck.check(lambda x: np.sum(x**2), 2 * np.ones(2), np.ones(2))
    with pytest.raises(gradcheck.InvalidArgumentError, match="not made by a full check"):
        replace(result, sweep_source=None).step_sweep()


def test_an_identity_check_can_be_swept_too():
    entry = gradcheck.installed_catalogue()["dxTAx_dx"]
    _, point = entry.draw(entry.seed_sequence(0, 0))
    result = entry.check(point)
    evidence = result.step_sweep()
    assert evidence.sweep.errors.min() < evidence.tolerance


# The figures ----------------------------------------------------------------------------------


def _line(ax, label_start: str):
    (line,) = [ln for ln in ax.lines if ln.get_label().startswith(label_start)]
    return line


def test_the_sweep_figure_draws_the_records_data(mpl, tmp_path):
    x = np.array([0.7, 0.35])
    claimed = np.cos(x) + np.array([0.0, 1e-3])  # wrong in entry 1
    result = gradcheck.check(lambda x: np.sum(np.sin(x)), claimed, x)
    path = tmp_path / "sweep.png"
    fig = result.plot(path=path)
    _assert_png(path, mpl)
    evidence = result.step_sweep()  # the sweep is deterministic: the same data again
    (ax,) = fig.axes
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    curve = _line(ax, "central finite-difference error")
    keep = evidence.sweep.errors > 0
    np.testing.assert_array_equal(curve.get_xdata(), evidence.sweep.steps[keep])
    np.testing.assert_array_equal(curve.get_ydata(), evidence.sweep.errors[keep])
    assert _line(ax, "step used").get_xdata()[0] == evidence.step_used
    assert _line(ax, "tolerance").get_ydata()[0] == result.tolerance[result.worst_index]
    discrepancy = _line(ax, "|claimed - numerical|").get_ydata()[0]
    assert discrepancy == abs(result.claimed[1] - result.numerical[1])
    assert abs(discrepancy - 1e-3) < 1e-8  # and it is the error put in
    assert ax.get_legend() is not None and ax.get_xlabel() and ax.get_ylabel()


def test_the_taylor_figure_draws_the_remainders_and_slopes_1_and_2(mpl, tmp_path):
    x = np.array([0.3, -0.2])
    result = gradcheck.taylor_test(lambda x: np.sum(np.exp(x)), np.exp(x), x)
    path = tmp_path / "taylor.png"
    fig = result.plot(path)
    _assert_png(path, mpl)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    curve = _line(ax, "remainder")
    keep = result.remainders > 0
    np.testing.assert_array_equal(curve.get_xdata(), result.steps[keep])
    np.testing.assert_array_equal(curve.get_ydata(), result.remainders[keep])
    top = np.argmax(result.steps)
    for order in (1, 2):
        line = _line(ax, f"slope {order}")
        hs, rs = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        slopes = np.diff(np.log(rs)) / np.diff(np.log(hs))
        np.testing.assert_allclose(slopes, order, rtol=1e-9)
        assert rs[np.argmax(hs)] == pytest.approx(3 * result.remainders[top], rel=1e-12)
    assert _line(ax, "rounding floor").get_ydata()[0] == result.rounding_floor


PLOTTED = ["dxTAx_dx", "dtrX_dX", "w_dxTA_numerator", "w_aTXb_transposed_nonsquare"]


def test_the_catalogue_chart_holds_each_identitys_worst_error_and_threshold():
    report = gradcheck.run_catalogue(select=PLOTTED, trials=2)
    chart = detection_chart(report)
    assert set(chart.names) == set(PLOTTED)
    for i, name in enumerate(chart.names):
        records = [r for r in report.records if r.identity == name]
        assert chart.pitfall[i] == (records[0].expected == "fail")
        if chart.pitfall[i]:
            # the check closest to escaping: the smallest error over threshold
            ratios = [r.max_rel_error / r.detection_threshold for r in records]
            closest = records[int(np.argmin(ratios))]
            assert chart.rel_errors[i] == closest.max_rel_error
            assert chart.thresholds[i] == closest.detection_threshold
        else:
            assert chart.rel_errors[i] == max(r.max_rel_error for r in records)
            assert chart.thresholds[i] == max(r.detection_threshold for r in records)
            assert chart.rel_errors[i] < chart.thresholds[i]  # an identity passes
    by_name = dict(zip(chart.names, range(len(chart.names)), strict=True))
    # a value pitfall lies far above its threshold; a layout pitfall is caught by its shape
    assert chart.rel_errors[by_name["w_dxTA_numerator"]] > 1e3 * chart.thresholds[0]
    assert not chart.by_shape[by_name["w_dxTA_numerator"]]
    assert chart.by_shape[by_name["w_aTXb_transposed_nonsquare"]]


def test_the_catalogue_figure_draws_the_chart(mpl, tmp_path):
    report = gradcheck.run_catalogue(select=PLOTTED, trials=1)
    path = tmp_path / "catalogue.png"
    fig = report.plot(path)
    _assert_png(path, mpl)
    chart = detection_chart(report)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    by_label = {c.get_label(): c.get_offsets() for c in ax.collections}
    groups = {
        "identity": ~chart.pitfall,
        "pitfall (": chart.pitfall & ~chart.by_shape,
        "pitfall caught by its shape": chart.by_shape,
    }
    for start, which in groups.items():
        (label,) = [lab for lab in by_label if lab.startswith(start)]
        expected = np.column_stack(
            [chart.thresholds[which], np.maximum(chart.rel_errors[which], ERROR_FLOOR)]
        )
        np.testing.assert_array_equal(np.asarray(by_label[label]), expected)
    diagonal = _line(ax, "error = threshold")
    np.testing.assert_array_equal(diagonal.get_xdata(), diagonal.get_ydata())


# Without matplotlib ------------------------------------------------------------------------------


@pytest.fixture
def no_matplotlib(monkeypatch):
    """`import matplotlib` fails, as where the extra is not installed."""
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_without_matplotlib_every_plot_names_the_extra(no_matplotlib, tmp_path):
    x = np.array([0.5, 1.0])
    result = gradcheck.check(lambda x: np.sum(np.sin(x)), np.cos(x), x)
    taylor = gradcheck.taylor_test(lambda x: np.sum(np.sin(x)), np.cos(x), x)
    report = gradcheck.run_catalogue(select=["dxTAx_dx"], trials=1)
    for plot in (result.plot, taylor.plot, report.plot):
        with pytest.raises(gradcheck.MissingDependencyError, match="matplotlib") as caught:
            plot(tmp_path / "never.png")
        assert EXTRA in str(caught.value) and isinstance(caught.value, ImportError)
    assert not (tmp_path / "never.png").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "dxTAx_dx"],
        ["formula", "x @ x", "--claim", "2 * x", "--wrt", "x", "--shapes", "x=n"],
        ["catalogue", "--select", "dxTAx_dx", "--trials", "1"],
    ],
)
def test_without_matplotlib_the_cli_exits_2_with_one_line(no_matplotlib, tmp_path, capsys, argv):
    code = main([*argv, "--plot", str(tmp_path / "out.png")])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.count("\n") == 1 and EXTRA in captured.err
    assert "Traceback" not in captured.err and not (tmp_path / "out.png").exists()


def test_without_matplotlib_in_a_fresh_interpreter(tmp_path):
    program = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from gradcheck.cli import main\n"
        f"sys.exit(main(['show', 'dxTAx_dx', '--plot', {str(tmp_path / 'out.png')!r}]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and EXTRA in done.stderr, done.stderr


# The command line -----------------------------------------------------------------------------
# `formula` runs as a user runs it, in a fresh interpreter (with matplotlib imported there);
# `show` and `catalogue` call the same gradcheck.cli.main in this one (tests/cli_run.py).


def _gradcheck(*argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "gradcheck", *argv],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def test_show_formula_and_catalogue_write_their_plots(mpl, tmp_path):
    show, formula, catalogue = (tmp_path / f"{n}.png" for n in ("show", "formula", "catalogue"))
    done = gradcheck_main("show", "dxTAx_dx", "--plot", str(show), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = _gradcheck(
        "formula", "x @ A @ x", "--claim", "2 * A @ x", "--wrt", "x",
        "--shapes", "x=n A=n,n", "--trials", "2", "--plot", str(formula),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # the claim is wrong: the plot shows why
    done = gradcheck_main(
        "catalogue", "--family", "seed_notes", "--trials", "1", "--plot", str(catalogue),
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for path in (show, formula, catalogue):
        _assert_png(path, mpl)


def test_check_plots_the_trial_it_reports(mpl, tmp_path, capsys):
    module = tmp_path / "mycode.py"
    module.write_text(
        "import numpy as np\n"
        "def loss(w):\n    return np.sum(np.sin(w))\n"
        "def grad(w):\n    return np.cos(w)\n"
    )
    path = tmp_path / "check.png"
    argv = ["check", f"{module}:loss", "--derivative", f"{module}:grad", "--shapes", "w=n"]
    code = main([*argv, "--trials", "2", "--plot", str(path)])
    assert code == 0, capsys.readouterr().err
    _assert_png(path, mpl)


@pytest.mark.parametrize("name", ["out.txt", "out"])
def test_plot_wants_an_image_file_name(capsys, tmp_path, name):
    code = main(["show", "dxTAx_dx", "--plot", str(tmp_path / name)])
    err = capsys.readouterr().err
    assert code == 2 and "--plot" in err and ".png" in err and err.count("\n") == 1
