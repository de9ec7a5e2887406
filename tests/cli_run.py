"""The command line as a user runs it: ``python -m gradcheck`` in a fresh interpreter, and the
same command run in this interpreter (``gradcheck.cli.main``) where a test is about what the
command prints, writes and returns rather than about the process (its start, its exit, its
pipes): about half a second less per command, the time a fresh interpreter takes to start."""

import contextlib
import io
import os
import subprocess
import sys

from gradcheck.cli import main


def gradcheck_cli(*argv: str, cwd) -> subprocess.CompletedProcess:
    """Run ``gradcheck ARGV...`` in `cwd`; its exit status and captured output."""
    return subprocess.run(
        [sys.executable, "-m", "gradcheck", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@contextlib.contextmanager
def set_environment(**variables: str):
    """`variables` set in ``os.environ`` while the block runs; the previous values after."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def gradcheck_main(*argv: str, cwd, **variables: str) -> subprocess.CompletedProcess:
    """Run ``gradcheck ARGV...`` as :func:`gradcheck_cli` does, but in this interpreter: in
    `cwd`, with the environment `variables` set, stdout and stderr captured; the same record
    (``returncode``, ``stdout``, ``stderr``) as the subprocess gives."""
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.chdir(cwd),
        set_environment(**variables),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        status = main(list(argv))
    return subprocess.CompletedProcess(["gradcheck", *argv], status, out.getvalue(), err.getvalue())
