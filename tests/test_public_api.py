"""The public surface: every exported name is documented and typed; the README's examples run."""

import contextlib
import doctest
import importlib.util
import inspect
import io
import os
import re
import runpy
import shlex
import subprocess
from pathlib import Path

import hypothesis
import numpy as np

import gradcheck
import gradcheck.report
from tests.cli_run import gradcheck_main, set_environment

INTERNAL_HELPERS = {"LAYOUTS", "METHOD_NAMES", "Layout", "__version__"}


def test_all_names_exist_and_are_documented():
    for name in gradcheck.__all__:
        obj = getattr(gradcheck, name)
        if name in INTERNAL_HELPERS or not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        assert inspect.getdoc(obj), f"{name} has no docstring"


def test_public_functions_have_type_hints():
    for name in gradcheck.__all__:
        obj = getattr(gradcheck, name)
        if inspect.isfunction(obj):
            sig = inspect.signature(obj)
            assert sig.return_annotation is not inspect.Signature.empty, name
            for param in sig.parameters.values():
                assert param.annotation is not inspect.Parameter.empty, f"{name}({param.name})"


# The README's code blocks, run ------------------------------------------------------------
# Python blocks run in order in one namespace (a ``>>>`` block as a doctest), a block headed
# ``# test_*.py`` as a test file under pytest (with the identity module it names), the
# quickstart's and the shell session's outputs compared with fresh runs. The outputs are
# regenerated, not edited: GRADCHECK_UPDATE_README=1 python -m pytest tests/test_public_api.py
# Everything runs in this interpreter: the ``$ gradcheck`` commands through gradcheck.cli.main,
# the quickstart with runpy, the ``$ pytest`` session with pytester (the plugin found through
# its entry point, with hypothesis's own settings, as in a user's pytest); a fresh one would
# cost half a second each and test nothing more here (tests/test_cli.py runs the console script
# and ``python -m gradcheck`` as processes, tests/test_plugin.py pytest under xdist).

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)
# commands of the README's shell blocks that are not run here, and why
NOT_RUN = {
    'pip install -e ".[test]" && gradcheck catalogue': "installs; the whole catalogue is slow",
    "python -m pytest": "the test suite itself",
}
# what the README's identity-module example needs from around it
IDENTITY_MODULE_HEADER = """import numpy as np
from gradcheck import identity


def tr(X):
    return np.trace(X, axis1=-2, axis2=-1)


def T(X):
    return np.swapaxes(X, -1, -2)

"""


def _blocks(text):
    """(language, code, start offset) of every fenced block of `text`."""
    return [(m.group(1), m.group(2), m.start(2)) for m in FENCE.finditer(text)]


def _timeless(text):
    """`text` without what depends on the clock: the catalogue's ms column and total seconds
    (and the alignment that their widths change)."""
    lines = []
    for line in text.strip().splitlines():
        line = re.sub(r"\s+", " ", line.strip())
        line = re.sub(r"(e[-+]\d+ )\d+(?= |$)", r"\1<ms>", line)
        line = re.sub(r" in [\d.]+s$", " in <s>s", line)  # pytest's "3 passed in 0.52s"
        lines.append(re.sub(r", [\d.]+ s$", ", <s> s", line))
    return "\n".join(lines)


@contextlib.contextmanager
def _hypothesis_default_profile():
    """Hypothesis's own settings (not the suite's: tests/conftest.py) while the block runs."""
    before = hypothesis.settings._current_profile
    hypothesis.settings.load_profile("hypothesis_default")
    try:
        yield
    finally:
        hypothesis.settings.load_profile(before)


def _pytest_session(words, pytester):
    """``pytest WORDS...`` on the README's test files, as a user's pytest runs it (the plugin
    found through its entry point), in this interpreter."""
    with set_environment(COLUMNS="100"), _hypothesis_default_profile():
        result = pytester.runpytest_inprocess("-p", "no:cacheprovider", *words)
    return subprocess.CompletedProcess(["pytest", *words], int(result.ret), result.stdout.str(), "")


def _session_output(session, cwd, pytester):
    """Run every ``$ gradcheck ...`` (or ``$ pytest ...``, on the README's test files) line of
    a shell session; the session as it prints now."""
    out = []
    for line in session.strip().splitlines():
        if not line.startswith("$ "):
            continue
        words = shlex.split(line[2:])
        assert words[0] in ("gradcheck", "pytest"), line
        if words[0] == "pytest":
            done = _pytest_session(words[1:], pytester)
        else:
            done = gradcheck_main(*words[1:], cwd=cwd, COLUMNS="200")
        printed = done.stdout.rstrip("\n")
        failing = re.search(
            r"gradcheck FAILED|did not pass|newly fail|statements?: \d+ passed, [1-9]", printed
        )
        assert done.returncode == (1 if failing else 0), (line, done.returncode, done.stderr)
        out.append(f"{line}\n{printed}\n" if printed else f"{line}\n")
    return "\n".join(out)


def _fresh_output(code, before, cwd, pytester):
    """What the output block `code` (preceded by README text `before`) shows when rerun."""
    if code.startswith("$ "):
        return _session_output(code, cwd, pytester)
    assert "python examples/quickstart.py" in before[-300:], "an output block of what?"
    out = io.StringIO()
    with set_environment(COLUMNS="200"), contextlib.chdir(cwd), contextlib.redirect_stdout(out):
        runpy.run_path(str(ROOT / "examples" / "quickstart.py"), run_name="__main__")
    return out.getvalue()


def _run_test_file(code, identity_module, pytester, cwd):
    if "mypkg.identities" in code:
        pytester.mkpydir("mypkg")
        pytester.path.joinpath("mypkg", "identities.py").write_text(
            IDENTITY_MODULE_HEADER + identity_module
        )
    pytester.syspathinsert()
    name = code.splitlines()[0].removeprefix("# ").removesuffix(".py")
    test_file = pytester.makepyfile(**{name: code})
    (cwd / f"{name}.py").write_text(code)  # for the ``$ pytest`` sessions that follow
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", str(test_file))
    # one test per identity and layout of the module, or the file's tests
    identities = identity_module.count("identity(")
    tests = code.count("\ndef test_")
    result.assert_outcomes(passed=2 * identities if "mypkg.identities" in code else tests)


def test_the_readme_code_blocks_run_and_its_outputs_are_current(pytester, tmp_path):
    readme = (ROOT / "README.md").read_text()
    blocks = _blocks(readme)
    identity_module = next(code for lang, code, _ in blocks if "@identity(" in code)
    namespace: dict = {}
    updated, stale = readme, []
    for lang, code, start in blocks:
        if lang == "bash":
            commands = [c.split("#")[0].strip() for c in code.strip().splitlines()]
            assert set(commands) <= set(NOT_RUN), commands
        elif lang == "python" and code.startswith(">>>"):
            test = doctest.DocTestParser().get_doctest(code, namespace, "README", "README", 0)
            runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
            assert runner.run(test, out=lambda _: None).failed == 0, code
        elif lang == "python" and re.match(r"# test_\w+\.py\n", code):
            _run_test_file(code, identity_module, pytester, tmp_path)
        elif lang == "python" and code is identity_module:
            exec(compile(IDENTITY_MODULE_HEADER + code, "README", "exec"), {})
        elif lang == "python":
            exec(compile(code, "README", "exec"), namespace)
        elif lang == "markdown":  # a document the next shell session reads: <!-- NAME -->
            name = re.match(r"<!-- ([\w.]+) -->\n", code).group(1)
            (tmp_path / name).write_text(code, encoding="utf-8")
        else:
            fresh = _fresh_output(code, readme[:start], tmp_path, pytester)
            if _timeless(fresh) != _timeless(code):
                stale.append(code)
                updated = updated.replace(code, fresh.rstrip("\n") + "\n", 1)
    if stale and os.environ.get("GRADCHECK_UPDATE_README") == "1":
        (ROOT / "README.md").write_text(updated)
    assert not stale, (
        f"{len(stale)} README output block(s) are stale; regenerate them with "
        "GRADCHECK_UPDATE_README=1 python -m pytest tests/test_public_api.py and review the diff"
    )


# Outputs of benchmark runs (too slow for a test) --------------------------------------------
# benchmarks/README.md shows the output each script saved on its last full run (see
# benchmarks/benchmark_output.py), each block headed by a comment naming the script and the file.
# GRADCHECK_UPDATE_README=1 copies the saved files in.

BENCHMARK_BLOCK = re.compile(
    r"^<!-- output of (?P<script>benchmarks/\w+\.py), "
    r"saved in (?P<saved>benchmarks/results/\w+\.txt) -->\n```\n(?P<output>.*?)^```$",
    re.M | re.S,
)
BENCHMARK_SCRIPTS = {
    "benchmarks/catalogue.py",
    "benchmarks/engine.py",
    "benchmarks/second_order.py",
    "benchmarks/scale.py",
    "benchmarks/stress.py",
}
#: The header's fields ("; "-separated): versions, platform, CPU, number of CPUs, date.
HEADER_VERSIONS = ("gradcheck", "numpy", "scipy", "hypothesis", "python")


def _header_fields(line):
    """The fields of a benchmark header, each checked to be there and non-empty."""
    fields = line.split("; ")
    assert len(fields) == 5 and all(f.strip() for f in fields), line
    versions, platform, cpu, cpus, date = fields
    pairs = [item.split(" ", 1) for item in versions.split(", ")]
    assert [name for name, _ in pairs] == list(HEADER_VERSIONS), line
    assert all(value.strip() and value != "not installed" for _, value in pairs), line
    assert re.fullmatch(r"\d+ CPUs?", cpus) and re.fullmatch(r"\d{4}-\d\d-\d\d", date), line
    return dict(pairs), platform, cpu


def test_benchmark_outputs_are_the_saved_runs_with_full_headers():
    readme_path = ROOT / "benchmarks" / "README.md"
    readme = readme_path.read_text()
    found = list(BENCHMARK_BLOCK.finditer(readme))
    assert {m["script"] for m in found} == BENCHMARK_SCRIPTS
    # every output block of the benchmark README is one of them (the others run commands, or
    # are `text` excerpts of runs before and after a change)
    unmarked = [code for lang, code, _ in _blocks(readme) if lang not in ("bash", "text")]
    assert len(unmarked) == len(found)
    updated, stale = readme, []
    for m in found:
        saved = (ROOT / m["saved"]).read_text()
        _header_fields(saved.splitlines()[0])
        assert m["saved"].removeprefix("benchmarks/results/").removesuffix(".txt") in m["script"]
        if m["output"] != saved:
            stale.append(m["saved"])
            updated = updated.replace(m.group(0), m.group(0).replace(m["output"], saved), 1)
    if stale and os.environ.get("GRADCHECK_UPDATE_README") == "1":
        readme_path.write_text(updated)
    assert not stale, f"benchmarks/README.md does not show {stale}; GRADCHECK_UPDATE_README=1"


def test_the_benchmark_header_names_everything():
    """The header the scripts print, made now: every field there, none empty."""
    path = ROOT / "benchmarks" / "benchmark_output.py"
    spec = importlib.util.spec_from_file_location("benchmark_output", path)
    benchmark_output = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark_output)
    versions, platform, cpu = _header_fields(benchmark_output.header())
    assert versions["numpy"] == np.__version__ and versions["gradcheck"] == gradcheck.__version__
    env = gradcheck.report.environment()
    assert (platform, cpu) == (env["platform"], env["cpu"])


def test_errors_derive_from_gradcheck_error():
    for name in gradcheck.__all__:
        obj = getattr(gradcheck, name)
        if inspect.isclass(obj) and issubclass(obj, Exception) and not issubclass(obj, Warning):
            assert issubclass(obj, gradcheck.GradcheckError), name
