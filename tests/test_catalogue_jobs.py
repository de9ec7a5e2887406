"""The catalogue spread over worker processes (``--jobs N``, ``run_catalogue(jobs=N)``): the
same text, JSON and exit status as the serial run, bad values refused, a dying worker
reported instead of a hang."""

import json
import os
import re
from dataclasses import replace

import numpy as np
import pytest

import gradcheck as gc
from gradcheck.catalogue import WorkerError, available_jobs
from tests.cli_run import gradcheck_main

# a slice of every kind of entry: real Jacobians, complex ones (both layouts), Hessians,
# mixed blocks, VJPs, pitfalls, matrix functions
SLICE = ["--family", "complex", "--family", "second_order", "--family", "vjp"]
SLICE += ["--family", "matrix_function", "--family", "structured", "--trials", "2"]


def _without_timings(text: str) -> str:
    """The catalogue table with its ms column and the total's seconds blanked (the only
    figures that differ between runs); column widths follow the ms figures, so spaces go."""
    lines = []
    for line in text.splitlines():
        line = re.sub(r", [0-9.]+ s$", "", line)
        line = re.sub(r"((?:caught|passed)\s+\S+\s+\S+\s+)\d+\b", r"\1MS", line)
        lines.append(" ".join(line.split()).rstrip("-"))
    return "\n".join(lines)


def _json_without_timings(text: str) -> dict:
    data = json.loads(text)
    data.pop("seconds")
    for record in data["records"]:
        record.pop("seconds")
    return data


@pytest.fixture(scope="module")
def slice_runs(tmp_path_factory):
    """The slice run with ``--jobs 1`` and with ``--jobs 2``: (completed run, saved JSON text)
    each, the JSON written by ``--save`` beside the printed table."""
    cwd = tmp_path_factory.mktemp("jobs")
    runs = {}
    for jobs in ("1", "2"):
        run = gradcheck_main("catalogue", *SLICE, "--jobs", jobs, "--save", f"{jobs}.json", cwd=cwd)
        runs[jobs] = (run, (cwd / f"{jobs}.json").read_text())
    return runs


def test_jobs_2_prints_what_jobs_1_prints(slice_runs):
    (serial, _), (parallel, _) = slice_runs["1"], slice_runs["2"]
    assert serial.returncode == parallel.returncode == 0, serial.stderr + parallel.stderr
    assert "problem:" not in serial.stdout
    assert len(serial.stdout.splitlines()) > 50
    assert _without_timings(parallel.stdout) == _without_timings(serial.stdout)


def test_jobs_2_writes_the_json_of_jobs_1(slice_runs):
    (_, serial), (_, parallel) = slice_runs["1"], slice_runs["2"]
    expected = _json_without_timings(serial)
    assert len(expected["records"]) > 100
    assert _json_without_timings(parallel) == expected


def test_a_failing_run_fails_the_same_way_on_workers(tmp_path):
    # a wrong identity and one whose f raises: problems listed, exit status 1
    module = tmp_path / "wrong_ids.py"
    module.write_text(
        "import gradcheck as gc\n"
        "wrong = gc.identity('wrong_grad', wrt='x', variables={'x': 'n'}, source='t',\n"
        "                    derivative=lambda x: 3 * x)(lambda x: x @ x)\n"
        "right = gc.identity('right_grad', wrt='x', variables={'x': 'n'}, source='t',\n"
        "                    derivative=lambda x: 2 * x)(lambda x: x @ x)\n"
        "def boom(x):\n"
        "    raise ValueError('f is broken')\n"
        "broken = gc.identity('broken_f', wrt='x', variables={'x': 'n'}, source='t',\n"
        "                     derivative=lambda x: x)(boom)\n"
    )
    runs = [
        gradcheck_main(
            "catalogue", "--module", str(module), "--trials", "2", "--jobs", jobs, cwd=tmp_path
        )
        for jobs in ("1", "2")
    ]
    assert runs[0].returncode == runs[1].returncode == 1
    assert "broken_f" in runs[0].stdout and "f is broken" in runs[0].stdout
    assert _without_timings(runs[1].stdout) == _without_timings(runs[0].stdout)


def test_records_from_workers_equal_the_serial_ones():
    names = ["dxTAx_dx", "cx_*", "h_*", "vjp*", "w_*"]
    serial = gc.run_catalogue(select=names, trials=2)
    parallel = gc.run_catalogue(select=names, trials=2, jobs=2)
    assert len(serial.records) > 50
    assert [r.identity for r in parallel.records] == [r.identity for r in serial.records]
    # the repr shows every field but the verdict object (nan equal to nan); timings differ
    for a, b in zip(serial.records, parallel.records, strict=True):
        assert repr(replace(b, seconds=a.seconds)) == repr(a)
        assert (a.result is None) == (b.result is None)
        if a.result is not None and hasattr(a.result, "numerical"):
            np.testing.assert_array_equal(a.result.numerical, b.result.numerical)
    assert serial.ok == parallel.ok


@pytest.mark.parametrize("jobs", [0, -1, 1.5, "2", True, None])
def test_run_catalogue_refuses_bad_jobs(jobs):
    with pytest.raises(gc.InvalidArgumentError, match="`jobs` must be a positive integer"):
        gc.run_catalogue(select=["dxTAx_dx"], trials=1, jobs=jobs)


@pytest.mark.parametrize("value", ["0", "-1", "abc", "", "1.5"])
def test_cli_refuses_bad_jobs_in_one_line(tmp_path, value):
    run = gradcheck_main("catalogue", "--select", "dxTAx_dx", f"--jobs={value}", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1 and "--jobs" in run.stderr
    assert "positive number of worker processes" in run.stderr


def test_default_jobs_are_the_cpus_available():
    assert available_jobs() == len(os.sched_getaffinity(0))


def _dies_in_a_worker(parent: int):
    def f(x):
        if os.getpid() != parent:
            os._exit(3)  # a crash in compiled code, the out-of-memory killer
        return x @ x

    return f


def test_a_dying_worker_is_an_error_not_a_hang():
    dies = gc.identity(
        "dies_in_worker", wrt="x", variables={"x": "n"}, source="t", derivative=lambda x: 2 * x
    )(_dies_in_a_worker(os.getpid()))
    fine = gc.identity(
        "fine", wrt="x", variables={"x": "n"}, source="t", derivative=lambda x: 2 * x
    )(lambda x: x @ x)
    catalogue = gc.Catalogue([fine, dies])
    assert gc.run_catalogue(catalogue=catalogue, trials=1).ok  # in this process: no crash
    with pytest.raises(WorkerError, match=r"worker process died.*--jobs 1"):
        gc.run_catalogue(catalogue=catalogue, trials=1, jobs=2)


def test_cli_dying_worker_exits_2_in_one_line(tmp_path):
    module = tmp_path / "dying_ids.py"
    module.write_text(
        "import os\nimport gradcheck as gc\n"
        f"PARENT = {os.getpid()}\n"
        "def f(x):\n"
        "    if os.getpid() != PARENT:\n"
        "        os._exit(3)\n"
        "    return x @ x\n"
        "dies = gc.identity('dies', wrt='x', variables={'x': 'n'}, source='t',\n"
        "                   derivative=lambda x: 2 * x)(f)\n"
        "fine = gc.identity('fine', wrt='x', variables={'x': 'n'}, source='t',\n"
        "                   derivative=lambda x: 2 * x)(lambda x: x @ x)\n"
    )
    run = gradcheck_main("catalogue", "--module", str(module), "--jobs", "2", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1
    assert "worker process died" in run.stderr and "Traceback" not in run.stderr
