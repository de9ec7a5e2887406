"""Public classes print the module users import them from: ``gradcheck.GradientAssertionError``
in a pytest failure, ``gradcheck.CheckResult`` in a repr."""

import inspect
import pickle

import numpy as np

import gradcheck

PUBLIC_CLASSES = [name for name in gradcheck.__all__ if inspect.isclass(getattr(gradcheck, name))]


def test_every_public_class_names_the_public_module():
    assert len(PUBLIC_CLASSES) >= 30  # the exceptions, options, results and catalogue records
    wrong = [
        f"{name}: {getattr(gradcheck, name).__module__}"
        for name in PUBLIC_CLASSES
        if getattr(gradcheck, name).__module__ != "gradcheck"
    ]
    assert wrong == []
    for name in PUBLIC_CLASSES:
        cls = getattr(gradcheck, name)
        assert repr(cls) == f"<class 'gradcheck.{name}'>"
        assert getattr(gradcheck, cls.__qualname__) is cls  # so pickle finds it


def _square_norm(x):
    return np.sum(x**2)


def _wrong_gradient(x):
    return 3 * x


def test_a_result_and_an_error_survive_pickling_under_the_public_name():
    # module-level functions: a result may keep the functions it checked
    result = gradcheck.check(_square_norm, _wrong_gradient, np.ones(2))
    error = gradcheck.GradientAssertionError(str(result), result)
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is gradcheck.GradientAssertionError and str(back) == str(error)
    assert pickle.loads(pickle.dumps(result)).status == "failed"


def test_a_failed_assertion_prints_the_public_exception_name(pytester):
    pytester.makepyfile(
        """
        import numpy as np
        import gradcheck

        def test_wrong():
            x = np.array([1.0, 2.0])
            gradcheck.assert_gradient(lambda x: np.sum(x ** 2), 3 * x, x)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "gradcheck.GradientAssertionError: gradcheck FAILED" in out
    assert "gradcheck.errors." not in out and "gradcheck._errors" not in out
