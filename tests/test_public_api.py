"""The public surface: every exported name is documented and typed; the README's examples run."""

import doctest
import inspect
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import gradcheck

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
        lines.append(re.sub(r", [\d.]+ s$", ", <s> s", line))
    return "\n".join(lines)


def _run(args, cwd):
    path = os.pathsep.join([str(ROOT), str(ROOT / "identities"), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _session_output(session, cwd):
    """Run every ``$ gradcheck ...`` line of a shell session; the session as it prints now."""
    out = []
    for line in session.strip().splitlines():
        if not line.startswith("$ "):
            continue
        words = shlex.split(line[2:])
        assert words[0] == "gradcheck", line
        done = _run(["-m", "gradcheck", *words[1:]], cwd)
        printed = done.stdout.rstrip("\n")
        failing = re.search(
            r"gradcheck FAILED|did not pass|newly fail|statements?: \d+ passed, [1-9]", printed
        )
        assert done.returncode == (1 if failing else 0), (line, done.returncode, done.stderr)
        out.append(f"{line}\n{printed}\n" if printed else f"{line}\n")
    return "\n".join(out)


def _fresh_output(code, before, cwd):
    """What the output block `code` (preceded by README text `before`) shows when rerun."""
    if code.startswith("$ "):
        return _session_output(code, cwd)
    assert "python examples/quickstart.py" in before[-300:], "an output block of what?"
    done = _run([str(ROOT / "examples" / "quickstart.py")], cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _run_test_file(code, identity_module, pytester):
    if "mypkg.identities" in code:
        pytester.mkpydir("mypkg")
        pytester.path.joinpath("mypkg", "identities.py").write_text(
            IDENTITY_MODULE_HEADER + identity_module
        )
    pytester.syspathinsert()
    name = code.splitlines()[0].removeprefix("# ").removesuffix(".py")
    test_file = pytester.makepyfile(**{name: code})
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", str(test_file))
    # one test per identity and layout of the module, or the one test
    identities = identity_module.count("identity(")
    result.assert_outcomes(passed=2 * identities if "mypkg.identities" in code else 1)


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
            _run_test_file(code, identity_module, pytester)
        elif lang == "python" and code is identity_module:
            exec(compile(IDENTITY_MODULE_HEADER + code, "README", "exec"), {})
        elif lang == "python":
            exec(compile(code, "README", "exec"), namespace)
        elif lang == "markdown":  # a document the next shell session reads: <!-- NAME -->
            name = re.match(r"<!-- ([\w.]+) -->\n", code).group(1)
            (tmp_path / name).write_text(code, encoding="utf-8")
        else:
            fresh = _fresh_output(code, readme[:start], tmp_path)
            if _timeless(fresh) != _timeless(code):
                stale.append(code)
                updated = updated.replace(code, fresh.rstrip("\n") + "\n", 1)
    if stale and os.environ.get("GRADCHECK_UPDATE_README") == "1":
        (ROOT / "README.md").write_text(updated)
    assert not stale, (
        f"{len(stale)} README output block(s) are stale; regenerate them with "
        "GRADCHECK_UPDATE_README=1 python -m pytest tests/test_public_api.py and review the diff"
    )


def test_errors_derive_from_gradcheck_error():
    for name in gradcheck.__all__:
        obj = getattr(gradcheck, name)
        if inspect.isclass(obj) and issubclass(obj, Exception) and not issubclass(obj, Warning):
            assert issubclass(obj, gradcheck.GradcheckError), name
