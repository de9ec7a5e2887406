"""Binding f to its point: what f receives, no silent conversions, in-place writes detected."""

import copy
import threading
import warnings
from decimal import Decimal

import numpy as np
import pytest

import gradcheck as gc

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix

X = np.array([0.5, -1.0, 2.0])
A = np.array([[2.0, 1.0, 0.0], [-1.0, 3.0, 0.5], [0.0, 4.0, 1.0]])


def _types_seen(f):
    """Wrap f so that the types of its arguments are recorded at every call."""
    seen = []

    def wrapped(**kwargs):
        seen.append({k: type(v) for k, v in kwargs.items()})
        return f(**kwargs)

    return wrapped, seen


# --- np.matrix ------------------------------------------------------------------------------


def test_matrix_variable_reaches_f_as_a_matrix():
    x = np.matrix([[0.5], [-1.0], [2.0]])
    x0 = x.copy()
    types = []

    def f(x):
        types.append(type(x))
        return (x.T * x)[0, 0]  # x^T x for a matrix column; x[0]^2 for an ndarray

    result = gc.check(f, lambda x: 2 * x, x)
    assert result.passed, result
    assert set(types) == {np.matrix}
    assert type(x) is np.matrix and np.array_equal(x, x0)


def test_quadratic_form_in_matrix_variable_and_matrix_argument():
    Am = np.matrix(A)
    x = np.matrix([[0.5], [-1.0], [2.0]])
    saved = (Am.copy(), x.copy())
    f, seen = _types_seen(lambda x, A: (x.T * A * x)[0, 0])
    derivative, seen_d = _types_seen(lambda x, A: (A + A.T) * x)
    for check in (gc.check, gc.check_directional):
        result = check(f, derivative, {"x": x, "A": Am}, wrt="x")
        assert result.passed, result
    assert {tuple(s.values()) for s in seen + seen_d} == {(np.matrix, np.matrix)}
    wrong = gc.check(f, lambda x, A: 2 * A * x, {"x": x, "A": Am}, wrt="x")
    assert wrong.status == "failed"
    assert np.array_equal(Am, saved[0]) and np.array_equal(x, saved[1])


def test_matrix_variable_is_never_batched():
    x = np.matrix([[0.5], [-1.0], [2.0]])
    shapes = []

    def f(x):
        shapes.append(np.shape(x))
        return np.asarray(np.matrix(A) * x)  # (3, 1)

    est = gc.estimate_jacobian(f, x)
    assert not est.vectorized
    assert set(shapes) == {(3, 1)}
    assert np.allclose(est.value.reshape(3, 3), A, rtol=1e-8)
    with pytest.raises(gc.InvalidArgumentError, match=r"np\.matrix.*vectorized=None or False"):
        gc.jacobian(f, x, vectorized=True)
    taylor = gc.taylor_test(lambda x: (x.T * x)[0, 0], 2 * x, x, seed=0)
    assert taylor.status == "passed"


def test_matrix_argument_reaches_f_as_a_private_matrix():
    Am = np.matrix(A)
    saved = Am.copy()
    received = []

    def f(x, A):
        received.append(A)
        M = np.asarray(A * A)  # the matrix product A @ A, not the elementwise square
        return x @ M @ x

    M = A @ A
    assert gc.check(f, lambda x, A: (M + M.T) @ x, {"x": X, "A": Am}, wrt="x").passed
    assert all(type(r) is np.matrix and r is not Am for r in received)
    assert np.array_equal(Am, saved)


# --- masked arrays --------------------------------------------------------------------------


def test_masked_variable_is_refused_naming_the_conversion():
    x = np.ma.array([0.5, -1.0, 2.0], mask=[False, True, False])
    with pytest.raises(gc.InvalidInputError, match=r"masked.*filled.*getdata"):
        gc.jacobian(lambda x: np.sum(x**2, axis=-1), x)
    with pytest.raises(gc.InvalidInputError, match=r"masked"):
        gc.check(lambda x, w: np.sum(x * w), np.ones(3), {"x": x, "w": np.ones(3)}, wrt="x")
    assert list(x.mask) == [False, True, False]


def test_masked_argument_reaches_f_with_its_mask():
    w = np.ma.array([1.0, 5.0, 3.0], mask=[False, True, False])
    saved = (w.data.copy(), w.mask.copy())
    received = []

    def f(x, w):
        received.append(w)
        return np.ma.sum(w * x**2, axis=-1)  # the masked weight is left out

    claim = 2 * w.filled(0.0) * X
    assert gc.check(f, claim, {"x": X, "w": w}, wrt="x").passed
    assert all(isinstance(r, np.ma.MaskedArray) and r is not w for r in received)
    assert all(list(np.ma.getmaskarray(r)) == [False, True, False] for r in received)
    assert np.array_equal(w.data, saved[0]) and np.array_equal(w.mask, saved[1])


def test_writing_into_a_masked_argument_is_detected():
    w = np.ma.array([1.0, 5.0, 3.0], mask=[False, True, False])

    def f(x, w):
        w[1] = 0.0  # unmasks and overwrites the entry
        return np.ma.sum(w * x**2, axis=-1)

    with pytest.raises(gc.InPlaceModificationError, match=r"`w`"):
        gc.jacobian(f, {"x": X, "w": w}, wrt="x")
    assert list(w.mask) == [False, True, False] and w.data[1] == 5.0


# --- dtypes of the variable -----------------------------------------------------------------

_EXTENDED = np.finfo(np.longdouble).eps < np.finfo(np.float64).eps


@pytest.mark.skipif(not _EXTENDED, reason="longdouble is float64 on this platform")
def test_longdouble_variable_warns_that_it_is_rounded():
    x = np.array([1.0, 2.0, 4.0], dtype=np.longdouble) / 3  # 1/3 and 2/3 are not float64
    dtypes = []

    def f(x):
        dtypes.append(x.dtype)
        return np.sum(x**2, axis=-1)

    with pytest.warns(gc.GradcheckWarning, match=r"rounded to float64.*3 of 3 entries change"):
        value = gc.jacobian(f, x)
    assert set(dtypes) == {np.dtype(np.float64)}
    assert np.allclose(value, 2 * x.astype(np.float64), rtol=1e-8)
    assert x.dtype == np.longdouble


@pytest.mark.skipif(not _EXTENDED, reason="longdouble is float64 on this platform")
def test_longdouble_variable_warns_even_when_exactly_representable():
    x = np.array([0.5, -1.0, 2.0], dtype=np.longdouble)
    with pytest.warns(gc.GradcheckWarning, match=r"longdouble|float128") as record:
        gc.jacobian(lambda x: np.sum(x**2, axis=-1), x)
    assert "do not change" in str(record[0].message)


@pytest.mark.skipif(not _EXTENDED, reason="longdouble is float64 on this platform")
def test_longdouble_beyond_the_float64_range_is_refused():
    x = np.array([1.0, 2.0], dtype=np.longdouble) * np.longdouble(10) ** 400
    with pytest.raises(gc.InvalidInputError, match=r"float64 range"):
        gc.jacobian(lambda x: np.sum(x, axis=-1), x)


@pytest.mark.parametrize(
    "value",
    [
        np.array([0.5, 1.0], dtype=object),
        [Decimal("0.5"), Decimal("1.0")],
        np.array([0.5, None], dtype=object),
    ],
)
def test_object_variable_is_refused(value):
    with pytest.raises(gc.InvalidInputError, match=r"dtype object.*astype\(float\)"):
        gc.jacobian(lambda x: np.sum(x, axis=-1), value)


def test_other_ndarray_subclass_variable_is_refused():
    class Tagged(np.ndarray):
        pass

    x = X.copy().view(Tagged)
    with pytest.raises(gc.InvalidInputError, match=r"Tagged.*subclass.*np\.asarray"):
        gc.jacobian(lambda x: np.sum(x, axis=-1), x)


def test_memmap_variable_is_read_like_an_array(tmp_path):
    mm = np.memmap(tmp_path / "x.dat", dtype=np.float64, mode="w+", shape=(3,))
    mm[:] = X
    assert np.allclose(gc.jacobian(lambda x: np.sum(x**2, axis=-1), mm), 2 * X, rtol=1e-8)
    assert np.array_equal(mm, X)


# --- mutable other arguments ----------------------------------------------------------------


def test_list_argument_mutated_by_f_is_detected():
    coeffs = [1.0, 2.0, 3.0]

    def f(x, coeffs):
        coeffs[0] += 1.0  # changes what later calls see
        return np.asarray(coeffs) @ x**2

    with pytest.raises(gc.InPlaceModificationError, match=r"`coeffs`.*in place"):
        gc.check(
            f, lambda x, coeffs: 2 * np.asarray(coeffs) * x, {"x": X, "coeffs": coeffs}, wrt="x"
        )
    assert coeffs == [1.0, 2.0, 3.0]


def test_dict_argument_mutated_by_f_is_detected():
    options = {"scale": 2.0, "calls": 0}

    def f(x, options):
        options["calls"] += 1
        return options["scale"] * np.sum(x**2, axis=-1)

    with pytest.raises(gc.InPlaceModificationError, match=r"`options`"):
        gc.jacobian(f, {"x": X, "options": options}, wrt="x")
    assert options == {"scale": 2.0, "calls": 0}


def test_object_argument_mutated_by_the_derivative_is_detected():
    class Model:
        def __init__(self):
            self.w = np.array([1.0, 2.0, 3.0])
            self.steps = 0

    model = Model()

    def derivative(x, model):
        model.steps += 1
        return 2 * model.w * x

    with pytest.raises(gc.InPlaceModificationError, match=r"the derivative modified.*`model`"):
        gc.check(lambda x, model: model.w @ x**2, derivative, {"x": X, "model": model}, wrt="x")
    assert model.steps == 0


def test_mutable_arguments_are_fresh_copies_for_every_call():
    coeffs = [1.0, 2.0, 3.0]
    received = []

    def f(x, coeffs):
        received.append(coeffs)
        return np.asarray(coeffs) @ x**2

    assert gc.check(f, 2 * np.asarray(coeffs) * X, {"x": X, "coeffs": coeffs}, wrt="x").passed
    assert len({id(r) for r in received}) == len(received)  # one list per call
    assert all(r is not coeffs and r == coeffs for r in received)


def test_atomic_arguments_are_passed_as_they_are():
    received = []

    def f(x, scale, name, xp, fn):
        received.append((scale, name, xp, fn))
        return scale * xp.sum(fn(x), axis=-1)

    point = {"x": X, "scale": 2.0, "name": "q", "xp": np, "fn": np.square}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gc.check(f, 4 * X, point, wrt="x").passed
    assert all(r == (2.0, "q", np, np.square) for r in received)


def test_uncopyable_argument_warns_and_is_passed_as_it_is():
    lock = threading.Lock()
    with pytest.warns(gc.GradcheckWarning, match=r"`lock`.*cannot be copied"):
        result = gc.check(lambda x, lock: np.sum(x**2), 2 * X, {"x": X, "lock": lock}, wrt="x")
    assert result.passed


# --- in-place writes despite the read-only flag ---------------------------------------------


def test_variable_made_writable_and_edited_is_detected():
    def f(x):
        x.flags.writeable = True
        x *= 2.0
        return np.sum(x**2, axis=-1)

    x = X.copy()
    with pytest.raises(gc.InPlaceModificationError, match=r"the point.*in place"):
        gc.check(f, 8 * X, x)
    assert np.array_equal(x, X)


def test_argument_made_writable_and_edited_is_detected():
    def f(x, A):
        A.flags.writeable = True
        A[0, 0] += 1.0  # every later call would see a different A
        return x @ A @ x

    A0 = A.copy()
    with pytest.raises(gc.InPlaceModificationError, match=r"`A`"):
        gc.check(f, lambda x, A: (A + A.T) @ x, {"x": X, "A": A0}, wrt="x")
    assert np.array_equal(A0, A)


def test_base_made_writable_and_edited_is_detected():
    def f(x, A):
        A.base.flags.writeable = True
        A.flags.writeable = True
        A[0, 0] += 1.0
        return x @ A @ x

    A0 = A.copy()
    with pytest.raises(gc.InPlaceModificationError, match=r"`A`"):
        gc.check(f, lambda x, A: (A + A.T) @ x, {"x": X, "A": A0}, wrt="x")
    assert np.array_equal(A0, A)


def test_argument_reshaped_by_f_does_not_leak_into_later_calls():
    def f(x, A):
        value = x @ A @ x
        A.shape = (9,)  # rebinds the shape of the array object f received
        return value

    A0 = A.copy()
    assert gc.check(f, lambda x, A: (A + A.T) @ x, {"x": X, "A": A0}, wrt="x").passed
    assert A0.shape == (3, 3)


def test_making_inputs_writable_without_editing_them_is_fine():
    def f(x, A):
        x.flags.writeable = True  # as a library that insists on writable buffers would
        return x @ A @ x

    assert gc.check(f, lambda x, A: (A + A.T) @ x, {"x": X, "A": A}, wrt="x").passed


def test_caller_objects_are_untouched_by_a_failing_function():
    point = {"x": X.copy(), "A": np.matrix(A), "w": np.ma.array(X, mask=[0, 1, 0]), "c": [1]}
    saved = copy.deepcopy(point)

    def f(x, A, w, c):
        raise RuntimeError("boom")

    with pytest.raises(gc.FunctionCallError, match="boom"):
        gc.check(f, np.ones(3), point, wrt="x")
    assert np.array_equal(point["x"], saved["x"]) and type(point["A"]) is np.matrix
    assert np.array_equal(point["A"], saved["A"]) and point["c"] == [1]
    assert list(point["w"].mask) == [False, True, False]


def test_variable_base_made_writable_and_edited_is_detected():
    def f(x):
        if x.base is not None:
            x.base.flags.writeable = True
        x.flags.writeable = True
        x[0] = 0.0
        return np.sum(x**2, axis=-1)

    x = X.copy()
    with pytest.raises(gc.InPlaceModificationError, match=r"the point"):
        gc.jacobian(f, x)
    assert np.array_equal(x, X)


def test_random_generator_argument_drawn_from_is_named():
    rng = np.random.default_rng(7)
    state = copy.deepcopy(rng.bit_generator.state)

    def f(x, rng):
        return np.sum(x**2, axis=-1) + 1e-3 * rng.standard_normal()

    with pytest.raises(gc.InPlaceModificationError, match=r"`rng`.*random generator.*seed"):
        gc.check(f, 2 * X, {"x": X, "rng": rng}, wrt="x")
    assert rng.bit_generator.state == state


def test_locked_arrays_cannot_be_made_writable_and_are_not_copied():
    from gradcheck.engine.target import _locked

    a = np.arange(6.0).reshape(2, 3)
    locked = _locked(a)
    assert np.shares_memory(locked, a) and np.array_equal(locked, a)
    for attempt in (
        lambda: setattr(locked.flags, "writeable", True),
        lambda: setattr(locked.base.flags, "writeable", True),
        lambda: locked.setflags(write=True),
        lambda: setattr(locked.view(np.matrix).flags, "writeable", True),
    ):
        with pytest.raises(ValueError, match="WRITEABLE"):
            attempt()
    assert _locked(np.array(2.0)).shape == ()
    assert _locked(a.T).shape == (3, 2) and np.array_equal(_locked(a.T), a.T)
