"""Complex variables through the pytest fixture: checks, the report table and the JSON."""

import json


def test_fixture_checks_complex_points_and_records_the_convention(pytester, tmp_path):
    pytester.makepyfile(
        """
        import numpy as np

        Z = np.array([1.0 + 2.0j, -0.5 + 0.25j])

        def loss(z):
            return np.real(np.vdot(z, z))  # |z|²: pytorch 2z, jax 2 z̄

        def test_pytorch(gradcheck):
            r = gradcheck.assert_gradient(loss, 2 * Z, Z, convention="pytorch")
            assert r.convention == "pytorch"

        def test_auto(gradcheck):
            r = gradcheck.check(loss, 2 * np.conj(Z), Z, convention="auto")
            assert r.satisfied_conventions == ("jax",)

        def test_wrong_convention(gradcheck):
            gradcheck.assert_gradient(loss, 2 * np.conj(Z), Z, convention="pytorch")
        """
    )
    target = tmp_path / "out.json"
    result = pytester.runpytest("--gradcheck-report", "--gradcheck-json", str(target))
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    assert "right in the conjugate convention" in out
    records = {r["identity"].split("::")[-1]: r for r in json.loads(target.read_text())["records"]}
    assert records["test_pytorch"]["convention"] == "pytorch"
    assert records["test_auto"]["satisfied_conventions"] == ["jax"]
    assert records["test_wrong_convention"]["status"] == "failed"
