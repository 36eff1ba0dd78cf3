"""fused.step against optimizers.py's step: the same x and state, bit for bit, and the same errors.

Bits are compared as integers (so -0.0 differs from 0.0, and NaN from another NaN payload).
"""

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given, settings
from test_optimizers import ALL, BAD_STEPS, OPTIMIZERS, refuses_and_changes_nothing

import fused
from optimizers import AdaGrad, Adam, AdamW, AMSGrad, GradientDescent, Momentum, RMSProp

EVERY_FORM = [GradientDescent(lr=0.3), AdaGrad(), AdaGrad(eps_inside_sqrt=False), RMSProp(),
              RMSProp(eps_inside_sqrt=False), Momentum(), Momentum(convention="heavy_ball"),
              Momentum(convention="pytorch"), Adam(), Adam(bias_correction=False), AMSGrad(),
              AMSGrad(bias_correction=False), AdamW(), AdamW(bias_correction=False)]


def bits(a):
    a = np.asarray(a)
    return a.view(np.uint64) if a.dtype == np.float64 else a


def assert_same_bits(x1, state1, x2, state2):
    np.testing.assert_array_equal(bits(x1), bits(x2))
    assert state1.keys() == state2.keys()
    for k in state1:
        np.testing.assert_array_equal(bits(state1[k]), bits(state2[k]), err_msg=f"state[{k!r}]")


def both(opt, x0, grads):
    """x and state after the steps, by opt.step and by fused.step (on copies of x0)."""
    x1, x2 = x0.copy(), x0.copy()
    state1, state2 = opt.init(x1), opt.init(x2)
    with np.errstate(all="ignore"):                 # overflow to inf is part of what is compared
        for g in grads:
            opt.step(x1, g, state1)
            fused.step(opt, x2, g, state2)
    return x1, state1, x2, state2


def counting_steps(opt):
    """Count the calls of this optimizer's own (numpy) step: fused.step's fallback."""
    calls = []
    plain = opt.step

    def step(*args):
        calls.append(1)
        return plain(*args)

    opt.step = step
    return calls


@pytest.mark.parametrize("opt", EVERY_FORM, ids=repr)
def test_every_form_matches_on_a_million_coordinates_and_runs_in_one_pass(opt):
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(1_000_000)
    grads = [rng.standard_normal(1_000_000) * 10.0 ** rng.integers(-8, 8, 1_000_000) for _ in range(3)]
    calls = counting_steps(opt)
    try:
        result = both(opt, x0, grads)
    finally:
        del opt.step
    assert calls == [1, 1, 1]                       # the numpy steps of both(), none from fused.step
    assert_same_bits(*result)


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_fused_step_equals_step_bit_for_bit(name, data):
    """Any shape, any finite values from the whole float64 range (so g * g and the state may
    overflow to inf, and then give NaN), and any hyperparameters of the property tests."""
    opt = OPTIMIZERS[name](data)
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=5))
    anything = st.floats(allow_nan=False, allow_infinity=False)
    x0 = data.draw(hnp.arrays(np.float64, shape, elements=anything))
    grads = [data.draw(hnp.arrays(np.float64, shape, elements=anything)) for _ in range(3)]
    assert_same_bits(*both(opt, x0, grads))


@pytest.mark.parametrize("make", [lambda: AdaGrad(eps=0.0), lambda: RMSProp(eps=0.0),
                                  lambda: Adam(eps=0.0), lambda: AMSGrad(eps=0.0, beta2=0.0)])
def test_zero_over_zero_gives_nan_as_numpy_does(make):
    """eps = 0 on a coordinate whose gradients are all zero: 0 / 0 = NaN in both, not an error."""
    x1, state1, x2, state2 = both(make(), np.array([1.0, 2.0]), [np.array([0.0, 1.0])] * 2)
    assert np.isnan(x2[0]) and np.isfinite(x2[1])
    assert_same_bits(x1, state1, x2, state2)


def test_amsgrad_keeps_numpy_s_maximum_including_nan():
    """beta2 = 0 and an overflowing g^2: s = inf * 0 = NaN on the next step; np.maximum keeps the NaN."""
    assert_same_bits(*both(AMSGrad(beta2=0.0), np.zeros(3), [np.array([1e200, 1.0, -2.0])] * 3))


@pytest.mark.parametrize("opt", ALL, ids=repr)
@pytest.mark.parametrize("make_grad, error, message", BAD_STEPS)
def test_bad_gradient_raises_the_same_error_and_changes_nothing(opt, make_grad, error, message):
    refuses_and_changes_nothing(lambda x, g, state: fused.step(opt, x, g, state), opt, make_grad, error, message)


def sweep():
    return Adam(lr=np.array([[0.1], [0.01]]))


def subclass():
    class Mine(GradientDescent):
        def step(self, x, grad, state):
            super().step(x, grad, state)
            x *= 0.5                                  # something the loop of its base class does not do
    return Mine()


FALLBACKS = {   # name: (optimizer, a function making x, the gradient or a function of the state giving it)
    "float32": (Adam(), lambda: np.ones((2, 3), np.float32), np.full((2, 3), 0.5, np.float32)),
    "integer gradient": (Momentum(), lambda: np.ones(3), np.array([1, -2, 3])),
    "not contiguous": (RMSProp(), lambda: np.ones((3, 4))[:, ::2], np.full((3, 2), 0.25)),
    "a sweep": (sweep(), lambda: np.ones((2, 2)), np.full((2, 2), 0.5)),
    "gradient is the state": (Momentum(), lambda: np.ones(3), lambda state: state["v"]),
    "subclass": (subclass(), lambda: np.ones(3), np.full(3, 0.5)),
}


@pytest.mark.parametrize("case", FALLBACKS)
def test_what_the_loops_do_not_cover_falls_back_to_the_numpy_step(case):
    opt, make_x, grad = FALLBACKS[case]
    gradient = (lambda state: grad(state)) if callable(grad) else (lambda state: grad)
    results = []
    for stepper in (opt.step, lambda x, g, s: fused.step(opt, x, g, s)):
        x = make_x()
        state = opt.init(x)
        for _ in range(3):
            stepper(x, gradient(state), state)
        results.append((x, state))
    (x1, state1), (x2, state2) = results
    np.testing.assert_array_equal(x1, x2)
    for k in state1:
        np.testing.assert_array_equal(state1[k], state2[k])
    calls = counting_steps(opt)
    try:
        fused.step(opt, x2, gradient(state2), state2)
    finally:
        del opt.step
    assert calls == [1]                              # it did fall back
