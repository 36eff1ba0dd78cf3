"""Unit and property tests of optimizers.py.

Ground truth is the formula itself: the expected values below are computed
coordinate by coordinate with Python's math module, independently of the
vectorised numpy code under test.
"""

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from landscapes import Quadratic
from optimizers import AdaGrad, Adam, AdamW, AMSGrad, GradientDescent, Momentum, RMSProp, run

GRADS = [np.array([0.5, -2.0, 1e-3]), np.array([-1.5, 0.25, 3.0]), np.array([0.75, -0.5, -2.0])]
X0 = np.array([1.0, -1.0, 0.5])


def run_steps(opt, x0=X0, grads=GRADS):
    x = x0.copy()
    state = opt.init(x)
    for g in grads:
        opt.step(x, g, state)
    return x, state


# ---------------------------------------------------------------------------
# Three steps against the formula, computed by hand
# ---------------------------------------------------------------------------

def by_hand(update, n_state):
    """Apply a scalar update rule to each coordinate of X0 over GRADS."""
    out = []
    for i in range(len(X0)):
        x, st_ = X0[i], [0.0] * n_state
        for t, g in enumerate(GRADS, start=1):
            x, st_ = update(x, float(g[i]), st_, t)
        out.append(x)
    return np.array(out)


def test_gradient_descent_three_steps():
    lr = 0.3
    want = by_hand(lambda x, g, s, t: (x - lr * g, s), 0)
    np.testing.assert_allclose(run_steps(GradientDescent(lr=lr))[0], want, rtol=0, atol=1e-12)


def test_adagrad_three_steps():
    lr, eps = 0.2, 1e-6

    def rule(x, g, s, t):
        s = s[0] + g * g                                  # (1.1)
        return x - lr / math.sqrt(s + eps) * g, [s]       # (1.2)
    x, state = run_steps(AdaGrad(lr=lr, eps=eps))
    np.testing.assert_allclose(x, by_hand(rule, 1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(state["s"], sum(g * g for g in GRADS), rtol=0, atol=1e-12)


def test_adagrad_one_step_literal():
    # s = 2^2 = 4, x = 1 - 0.1 / sqrt(4) * 2 = 0.9
    x = np.array(1.0)
    opt = AdaGrad(lr=0.1, eps=0.0)
    opt.step(x, np.array(2.0), opt.init(x))
    assert x == pytest.approx(0.9, abs=1e-15)


def test_rmsprop_three_steps():
    lr, gamma, eps = 0.05, 0.8, 1e-6

    def rule(x, g, s, t):
        s = gamma * s[0] + (1 - gamma) * g * g            # (2.1)
        return x - lr / math.sqrt(s + eps) * g, [s]       # (2.2)
    np.testing.assert_allclose(run_steps(RMSProp(lr=lr, gamma=gamma, eps=eps))[0], by_hand(rule, 1),
                               rtol=0, atol=1e-12)


def test_rmsprop_first_step_literal():
    # s = 0.1 * 4 = 0.4, x = 0 - 0.01 / sqrt(0.4) * 2 = -0.0316227766...
    x = np.array(0.0)
    opt = RMSProp(lr=0.01, gamma=0.9, eps=0.0)
    opt.step(x, np.array(2.0), opt.init(x))
    assert x == pytest.approx(-0.02 / math.sqrt(0.4), abs=1e-15)


def test_momentum_source_three_steps():
    lr, mc = 0.1, 0.7

    def rule(x, g, v, t):
        v = mc * v[0] + (1 - mc) * (-lr * g)              # (3.1)
        return x + v, [v]                                 # (3.2)
    np.testing.assert_allclose(run_steps(Momentum(lr=lr, momentum=mc))[0], by_hand(rule, 1),
                               rtol=0, atol=1e-12)


def test_momentum_heavy_ball_and_pytorch_three_steps():
    lr, mc = 0.1, 0.7

    def heavy(x, g, v, t):
        v = mc * v[0] - lr * g
        return x + v, [v]

    def pytorch(x, g, b, t):
        b = g if t == 1 else mc * b[0] + g
        return x - lr * b, [b]
    np.testing.assert_allclose(run_steps(Momentum(lr=lr, momentum=mc, convention="heavy_ball"))[0],
                               by_hand(heavy, 1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(run_steps(Momentum(lr=lr, momentum=mc, convention="pytorch"))[0],
                               by_hand(pytorch, 1), rtol=0, atol=1e-12)


@pytest.mark.parametrize("bias_correction", [True, False])
def test_adam_three_steps(bias_correction):
    lr, b1, b2, eps = 0.01, 0.8, 0.99, 1e-6

    def rule(x, g, vs, t):
        v = b1 * vs[0] + (1 - b1) * g                     # (4.1)
        s = b2 * vs[1] + (1 - b2) * g * g                 # (4.2)
        v_hat = v / (1 - b1 ** t) if bias_correction else v   # (4.3)
        s_hat = s / (1 - b2 ** t) if bias_correction else s   # (4.4)
        return x - lr / (math.sqrt(s_hat) + eps) * v_hat, [v, s]   # (4.5)
    x, state = run_steps(Adam(lr=lr, beta1=b1, beta2=b2, eps=eps, bias_correction=bias_correction))
    np.testing.assert_allclose(x, by_hand(rule, 2), rtol=0, atol=1e-12)
    assert state["t"] == 3
    assert state["beta1_t"] == pytest.approx(b1 ** 3, rel=1e-15)


def test_amsgrad_three_steps():
    lr, b1, b2, eps = 0.01, 0.8, 0.99, 1e-6

    def rule(x, g, st_, t):
        v = b1 * st_[0] + (1 - b1) * g                    # (4.1)
        s = b2 * st_[1] + (1 - b2) * g * g                # (4.2)
        s_max = max(st_[2], s)                            # (6.1)
        return x - lr / (math.sqrt(s_max / (1 - b2 ** t)) + eps) * (v / (1 - b1 ** t)), [v, s, s_max]
    # a large gradient then small ones: s falls below s_max, so AMSGrad differs from Adam
    grads = [np.array([5.0, -0.1]), np.array([0.1, -0.1]), np.array([0.1, 0.2])]
    x0 = np.array([1.0, 2.0])
    want = []
    for i in range(2):
        x, st_ = x0[i], [0.0, 0.0, 0.0]
        for t, g in enumerate(grads, start=1):
            x, st_ = rule(x, float(g[i]), st_, t)
        want.append(x)
    got, state = run_steps(AMSGrad(lr=lr, beta1=b1, beta2=b2, eps=eps), x0, grads)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert state["s_max"][0] > state["s"][0]
    assert not np.allclose(got, run_steps(Adam(lr=lr, beta1=b1, beta2=b2, eps=eps), x0, grads)[0], rtol=1e-6)


def test_adamw_three_steps():
    lr, b1, b2, eps, wd = 0.01, 0.8, 0.99, 1e-6, 0.5

    def rule(x, g, vs, t):
        x = x - lr * wd * x                               # (6.2) the decoupled decay, first
        v = b1 * vs[0] + (1 - b1) * g
        s = b2 * vs[1] + (1 - b2) * g * g
        return x - lr / (math.sqrt(s / (1 - b2 ** t)) + eps) * (v / (1 - b1 ** t)), [v, s]
    got = run_steps(AdamW(lr=lr, beta1=b1, beta2=b2, eps=eps, weight_decay=wd))[0]
    np.testing.assert_allclose(got, by_hand(rule, 2), rtol=0, atol=1e-12)


def test_amsgrad_effective_learning_rate_never_grows():
    rng = np.random.default_rng(4)
    x = np.zeros(4)
    opt = AMSGrad(lr=0.1)
    state = opt.init(x)
    previous, adam_shrank = np.zeros(4), False
    for t in range(200):
        g = rng.standard_normal(4) * (10.0 if t % 50 == 0 else 0.1)   # rare large gradients
        opt.step(x, g, state)
        assert np.all(state["s_max"] >= previous)     # the divisor sqrt(s_max) never shrinks ...
        adam_shrank |= bool(np.any(state["s"] < previous))   # ... while Adam's s does
        previous = state["s_max"].copy()
    assert adam_shrank


def test_adamw_with_zero_decay_is_adam():
    rng = np.random.default_rng(5)
    grads = [rng.standard_normal(3) for _ in range(10)]
    a = run_steps(AdamW(lr=0.01, weight_decay=0.0), X0, grads)[0]
    np.testing.assert_array_equal(a, run_steps(Adam(lr=0.01), X0, grads)[0])


def test_adam_first_step_literal():
    # v = 0.1 * 2, s = 0.001 * 4; corrected: v_hat = 2, s_hat = 4; x = 0 - 0.001 * 2 / (2 + 0) = -0.001
    x = np.array(0.0)
    opt = Adam(lr=0.001, eps=0.0)
    opt.step(x, np.array(2.0), opt.init(x))
    assert x == pytest.approx(-0.001, abs=1e-15)


def test_eps_outside_sqrt_option():
    lr, eps = 0.2, 0.5

    def rule(x, g, s, t):
        s = s[0] + g * g
        return x - lr / (math.sqrt(s) + eps) * g, [s]
    np.testing.assert_allclose(run_steps(AdaGrad(lr=lr, eps=eps, eps_inside_sqrt=False))[0],
                               by_hand(rule, 1), rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------
# Identities between algorithms
# ---------------------------------------------------------------------------

def test_momentum_zero_is_gradient_descent():
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(5) for _ in range(20)]
    x0 = rng.standard_normal(5)
    for convention in Momentum.conventions:
        got = run_steps(Momentum(lr=0.05, momentum=0.0, convention=convention), x0, grads)[0]
        want = run_steps(GradientDescent(lr=0.05), x0, grads)[0]
        if convention == "source":
            np.testing.assert_array_equal(got, want)   # (1 - 0) * (-lr*g): the very same float operations
        else:
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)


def test_heavy_ball_equals_pytorch_convention():
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal(4) for _ in range(30)]
    x0 = rng.standard_normal(4)
    a = run_steps(Momentum(lr=0.1, momentum=0.9, convention="heavy_ball"), x0, grads)[0]
    b = run_steps(Momentum(lr=0.1, momentum=0.9, convention="pytorch"), x0, grads)[0]
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_momentum_on_constant_slope_speed():
    # source form tends to lr*g per step; heavy ball to lr*g/(1-mc)
    g = np.array([1.0])
    for convention, speed in [("source", 0.1), ("heavy_ball", 0.1 / (1 - 0.9))]:
        x = np.array([0.0])
        opt = Momentum(lr=0.1, momentum=0.9, convention=convention)
        state = opt.init(x)
        for _ in range(400):
            opt.step(x, g, state)
        assert -state["v"][0] == pytest.approx(speed, rel=1e-12)


@pytest.mark.parametrize("g", [np.array([3.0, -0.02, 150.0]), np.array([-1e-3, 1e3, 7.0])])
def test_adam_first_step_is_lr_sign_g(g):
    x = np.zeros(3)
    opt = Adam(lr=0.01)
    opt.step(x, g, opt.init(x))
    np.testing.assert_allclose(x, -0.01 * np.sign(g), rtol=1e-4)


@pytest.mark.parametrize("make", [lambda: AdaGrad(lr=0.1, eps=0.0),
                                  lambda: RMSProp(lr=0.1, eps=0.0),
                                  lambda: Adam(lr=0.1, eps=0.0)])
@pytest.mark.parametrize("c", [1e-3, 0.5, 8.0])
def test_scale_invariance_with_eps_zero(make, c):
    rng = np.random.default_rng(2)
    grads = [rng.standard_normal(6) for _ in range(15)]
    x0 = rng.standard_normal(6)
    a = run_steps(make(), x0, grads)[0]
    b = run_steps(make(), x0, [c * g for g in grads])[0]
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_rmsprop_gamma_zero_is_sign_descent():
    # with gamma = 0 and eps = 0, s = g^2 and the step is lr * sign(g)
    rng = np.random.default_rng(3)
    grads = [rng.standard_normal(5) for _ in range(4)]
    x0 = rng.standard_normal(5)
    want = x0 - 0.1 * sum(np.sign(g) for g in grads)
    np.testing.assert_allclose(run_steps(RMSProp(lr=0.1, gamma=0.0, eps=0.0), x0, grads)[0], want, atol=1e-14)


# ---------------------------------------------------------------------------
# Properties over shapes, dtypes and hyperparameters
# ---------------------------------------------------------------------------

unit = st.floats(0.0, 0.999)
OPTIMIZERS = {
    "GradientDescent": lambda d: GradientDescent(lr=d.draw(st.floats(0.0, 1.0))),
    "AdaGrad": lambda d: AdaGrad(lr=d.draw(st.floats(0.0, 1.0)), eps=d.draw(st.floats(1e-12, 1.0)),
                                 eps_inside_sqrt=d.draw(st.booleans())),
    "RMSProp": lambda d: RMSProp(lr=d.draw(st.floats(0.0, 1.0)), gamma=d.draw(unit),
                                 eps=d.draw(st.floats(1e-12, 1.0)), eps_inside_sqrt=d.draw(st.booleans())),
    "Momentum": lambda d: Momentum(lr=d.draw(st.floats(0.0, 1.0)), momentum=d.draw(unit),
                                   convention=d.draw(st.sampled_from(Momentum.conventions))),
    "Adam": lambda d: Adam(lr=d.draw(st.floats(0.0, 1.0)), beta1=d.draw(unit), beta2=d.draw(unit),
                           eps=d.draw(st.floats(1e-8, 1.0)), bias_correction=d.draw(st.booleans())),
    "AMSGrad": lambda d: AMSGrad(lr=d.draw(st.floats(0.0, 1.0)), beta1=d.draw(unit), beta2=d.draw(unit),
                                 eps=d.draw(st.floats(1e-8, 1.0)), bias_correction=d.draw(st.booleans())),
    "AdamW": lambda d: AdamW(lr=d.draw(st.floats(0.0, 1.0)), beta1=d.draw(unit), beta2=d.draw(unit),
                             eps=d.draw(st.floats(1e-8, 1.0)), weight_decay=d.draw(st.floats(0.0, 1.0))),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_steps_keep_dtype_shape_and_finiteness(name, data):
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
    x = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-10, 10, width=32)))
    opt = OPTIMIZERS[name](data)
    state = opt.init(x)
    shapes = {k: np.shape(v) for k, v in state.items()}
    for _ in range(3):
        g = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-100, 100, width=32)))
        opt.step(x, g, state)
    assert x.dtype == dtype and x.shape == shape
    assert np.all(np.isfinite(x))
    assert {k: np.shape(v) for k, v in state.items()} == shapes
    for k in opt._state_arrays:
        assert state[k].dtype == dtype


@pytest.mark.parametrize("name", OPTIMIZERS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_batch_equals_loop_bit_for_bit(name, data):
    """A batch of configurations on the leading axis equals the same runs one at a time."""
    n, dim = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 3))
    opts = [OPTIMIZERS[name](data) for _ in range(n)]
    hyper = {k: np.array([[float(o._hyperparameters[k])] for o in opts]) for k in opts[0]._hyperparameters}
    flags = {k: v for k, v in opts[0]._settings().items() if k not in hyper}
    for o in opts:   # flags (conventions, options) are shared by the batch
        for k, v in flags.items():
            setattr(o, k, v)
    batch_opt = type(opts[0])(**hyper, **flags)
    x0 = data.draw(hnp.arrays(np.float64, (n, dim), elements=st.floats(-5, 5)))
    grads = [data.draw(hnp.arrays(np.float64, (n, dim), elements=st.floats(-50, 50))) for _ in range(4)]
    xb, _ = run_steps(batch_opt, x0, grads)
    for i, o in enumerate(opts):
        xi, _ = run_steps(o, x0[i], [g[i] for g in grads])
        np.testing.assert_array_equal(xb[i], xi)


def test_sweep_over_learning_rates_on_a_landscape():
    q = Quadratic(condition=10)
    lrs = np.array([0.1, 1.0, 1.9, 2.1, 3.0])
    traj = run(GradientDescent(lr=lrs[:, None]), q, np.tile(q.start, (5, 1)), 600)
    assert traj.path.shape == (601, 5, 2) and traj.loss.shape == (601, 5)
    for i, lr in enumerate(lrs):
        alone = run(GradientDescent(lr=lr), q, q.start, 600)
        np.testing.assert_array_equal(traj.path[:, i], alone.path)
        np.testing.assert_array_equal(traj.diverged[i], alone.diverged)
    # lr < 2/L = 2 converges (slowly for small lr); beyond 2 the error grows by |1 - lr| per step
    final = traj.loss[-1]
    assert final[1] < 1e-30 and final[2] < 1e-25 and 1e-7 < final[0] < 1e-4
    assert final[3] > 1e20 and not traj.diverged[3]
    # lr = 3 doubles the error each step: the loss overflows, and the run is frozen as diverged
    assert traj.diverged.tolist() == [False, False, False, False, True]
    first_nan = np.argmax(np.isnan(traj.loss[:, 4]))
    assert 500 < first_nan < 560 and np.all(np.isnan(traj.path[first_nan:, 4]))



class Cliff:
    """f = x . x / 2 on 2-D, whose gradient is infinite beyond x[0] = 3 (the loss stays finite)."""
    dim, name = 2, "cliff"

    def loss(self, x):
        return 0.5 * np.sum(x * x, axis=-1)

    def grad(self, x):
        return np.where(x[..., :1] > 3, np.inf, x)


def test_run_freezes_a_run_whose_gradient_alone_stops_being_finite():
    """The loss is finite, the gradient is not: that run is frozen, the others go on as if alone.
    Gradient descent with lr = 2.5 multiplies x by -1.5 each step: x[0] goes 1, -1.5, 2.25,
    -3.375, then 5.0625, beyond 3, at step 4; with lr = 0.5 it halves."""
    starts = np.array([[1.0, 1.0], [1.0, -2.0]])
    traj = run(GradientDescent(lr=np.array([[2.5], [0.5]])), Cliff(), starts, 6)
    assert traj.diverged.tolist() == [True, False]
    np.testing.assert_array_equal(traj.path[:4, 0, 0], [1.0, -1.5, 2.25, -3.375])
    assert np.isnan(traj.path[4:, 0]).all() and np.isnan(traj.loss[4:, 0]).all()
    alone = run(GradientDescent(lr=0.5), Cliff(), starts[1], 6)
    np.testing.assert_array_equal(traj.path[:, 1], alone.path)
    np.testing.assert_array_equal(traj.loss[:, 1], alone.loss)
    single = run(GradientDescent(lr=2.5), Cliff(), starts[0], 6)      # alone, it stops there too
    assert single.diverged and single.path.shape == (7, 2)
    np.testing.assert_array_equal(single.path, traj.path[:, 0])

# ---------------------------------------------------------------------------
# Bad input: a clear error, and nothing changes
# ---------------------------------------------------------------------------

BAD_HYPERPARAMETERS = [
    (GradientDescent, {"lr": -0.1}, r"Invalid lr: -0\.1; need 0 <= lr < inf"),
    (GradientDescent, {"lr": float("nan")}, r"Invalid lr: nan; need 0 <= lr < inf"),
    (GradientDescent, {"lr": float("inf")}, r"Invalid lr: inf; need 0 <= lr < inf"),
    (GradientDescent, {"lr": np.array([0.1, -1.0])}, r"Invalid lr: -1\.0 \(in an array of shape \(2,\)\)"),
    (GradientDescent, {"lr": "0.1"}, r"Invalid lr: '0\.1'; need a real number"),
    (GradientDescent, {"lr": True}, r"Invalid lr: True; need a real number"),
    (AdaGrad, {"eps": -1e-8}, r"Invalid eps: -1e-08; need 0 <= eps < inf"),
    (RMSProp, {"gamma": 1.0}, r"Invalid gamma: 1\.0; need 0 <= gamma < 1"),
    (RMSProp, {"gamma": -0.1}, r"Invalid gamma: -0\.1; need 0 <= gamma < 1"),
    (RMSProp, {"eps": float("nan")}, r"Invalid eps: nan; need 0 <= eps < inf"),
    (Momentum, {"momentum": 1.0}, r"Invalid momentum: 1\.0; need 0 <= momentum < 1"),
    (Momentum, {"momentum": float("nan")}, r"Invalid momentum: nan; need 0 <= momentum < 1"),
    (Momentum, {"convention": "nesterov"}, r"Invalid convention: 'nesterov'; need one of source, heavy_ball, pytorch"),
    (Adam, {"beta1": 1.0}, r"Invalid beta1: 1\.0; need 0 <= beta1 < 1"),
    (Adam, {"beta2": 1.5}, r"Invalid beta2: 1\.5; need 0 <= beta2 < 1"),
    (Adam, {"beta2": -0.5}, r"Invalid beta2: -0\.5; need 0 <= beta2 < 1"),
    (Adam, {"lr": -1}, r"Invalid lr: -1\.0; need 0 <= lr < inf"),
    (AMSGrad, {"beta2": 1.0}, r"Invalid beta2: 1\.0; need 0 <= beta2 < 1"),
    (AdamW, {"weight_decay": -0.01}, r"Invalid weight_decay: -0\.01; need 0 <= weight_decay < inf"),
    (AdamW, {"weight_decay": float("nan")}, r"Invalid weight_decay: nan; need 0 <= weight_decay < inf"),
]


@pytest.mark.parametrize("cls, kwargs, message", BAD_HYPERPARAMETERS)
def test_bad_hyperparameters_raise(cls, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        cls(**kwargs)


def test_eps_zero_is_allowed_and_divides_zero_by_zero_on_a_silent_coordinate():
    # eps = 0 is accepted (as in PyTorch); the formula then has 0 / 0 where every gradient so far was 0
    for opt in (AdaGrad(eps=0.0), RMSProp(eps=0.0), Adam(eps=0.0)):
        x = np.array([1.0, 1.0])
        with np.errstate(invalid="ignore", divide="ignore"):
            opt.step(x, np.array([0.0, 1.0]), opt.init(x))
        assert np.isnan(x[0]) and np.isfinite(x[1])


ALL = [GradientDescent(), AdaGrad(), RMSProp(), Momentum(), Momentum(convention="pytorch"), Adam(), AMSGrad(),
       AdamW()]


def started(opt):
    """x and a state after two ordinary steps, so 'unchanged' is a real check."""
    x = np.array([0.5, -0.25, 2.0])
    state = opt.init(x)
    for g in ([1.0, -2.0, 0.5], [0.5, 1.0, -1.0]):
        opt.step(x, np.array(g), state)
    return x, state


def snapshot(x, state):
    return x.copy(), {k: np.copy(v) for k, v in state.items()}


BAD_STEPS = [
    (lambda x: np.array([1.0, np.nan, 0.0]), ValueError, r"Invalid grad: nan in the gradient; need finite values"),
    (lambda x: np.array([np.inf, 0.0, 0.0]), ValueError, r"Invalid grad: inf in the gradient"),
    (lambda x: np.array([-np.inf, 0.0, 0.0]), ValueError, r"Invalid grad: -inf in the gradient"),
    (lambda x: np.ones(2), ValueError, r"Invalid grad: shape \(2,\); need the shape of x, \(3,\)"),
    (lambda x: np.ones((3, 1)), ValueError, r"Invalid grad: shape \(3, 1\); need the shape of x, \(3,\)"),
    (lambda x: np.array(["a", "b", "c"]), TypeError, r"Invalid grad: array of dtype <U1; need real numbers"),
]


@pytest.mark.parametrize("opt", ALL, ids=repr)
@pytest.mark.parametrize("make_grad, error, message", BAD_STEPS)
def test_bad_gradient_raises_and_changes_nothing(opt, make_grad, error, message):
    refuses_and_changes_nothing(opt.step, opt, make_grad, error, message)


def refuses_and_changes_nothing(step, opt, make_grad, error, message):
    """``step(x, grad, state)`` (opt.step, or fused.step for opt) raises on a bad gradient and
    leaves x and the state exactly as they were."""
    x, state = started(opt)
    x_before, state_before = snapshot(x, state)
    with pytest.raises(error, match=message):
        step(x, make_grad(x), state)
    np.testing.assert_array_equal(x, x_before)
    assert state.keys() == state_before.keys()
    for k in state:
        np.testing.assert_array_equal(state[k], state_before[k])


@pytest.mark.parametrize("dtype, huge", [(np.float16, 300.0), (np.float32, 1e20), (np.float64, 1e200)])
def test_finite_gradients_whose_squares_overflow_are_accepted(dtype, huge):
    """The quick test (is g.g finite?) overflows on them; the entry-wise test must then let them pass."""
    opt = GradientDescent(lr=0.0)
    x = np.ones(4, dtype)
    with np.errstate(over="raise"):
        opt.step(x, np.array([huge, -huge, 1.0, 0.0], dtype), opt.init(x))
    np.testing.assert_array_equal(x, np.ones(4, dtype))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_gradient_is_refused_exactly_when_an_entry_is_not_finite(data):
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=6))
    g = data.draw(hnp.arrays(dtype, shape, elements=st.one_of(
        st.floats(-1e3, 1e3, width=32), st.sampled_from([np.nan, np.inf, -np.inf, 3e38, -3e38]))))
    opt = GradientDescent(lr=0.5)
    x = np.ones(shape, dtype)
    state = opt.init(x)
    before = snapshot(x, state)
    if np.isfinite(g).all():
        opt.step(x, g, state)
        assert state["t"] == 1
    else:
        with pytest.raises(ValueError, match=r"Invalid grad: -?(nan|inf) in the gradient"):
            opt.step(x, g, state)
        np.testing.assert_array_equal(x, before[0])
        assert state["t"] == 0


@pytest.mark.parametrize("opt", ALL, ids=repr)
def test_bad_x_raises(opt):
    with pytest.raises(TypeError, match=r"Invalid x: array of dtype int64; need a floating-point dtype"):
        opt.init(np.array([1, 2, 3]))
    with pytest.raises(TypeError, match=r"Invalid x: list; need a numpy array of floats"):
        opt.init([1.0, 2.0])
    with pytest.raises(TypeError, match=r"Invalid x: float; need a numpy array of floats"):
        opt.init(1.0)
    x, state = started(opt)
    with pytest.raises(TypeError, match=r"Invalid x: array of dtype int64"):
        opt.step(x.astype(np.int64), np.ones(3), state)


@pytest.mark.parametrize("opt", ALL, ids=repr)
def test_state_of_another_shape_raises_and_changes_nothing(opt):
    x, state = started(opt)
    other = np.zeros(4)
    before = snapshot(other, state)
    if opt._state_arrays:
        with pytest.raises(ValueError, match=r"Invalid state: '[vs]' is missing or not of shape \(4,\)"):
            opt.step(other, np.ones(4), state)
        np.testing.assert_array_equal(other, before[0])
    with pytest.raises(TypeError, match=r"Invalid state: NoneType; need the dict returned by init"):
        opt.step(x, np.ones(3), None)


def test_hyperparameter_shape_must_broadcast_against_x():
    opt = GradientDescent(lr=np.array([[0.1], [0.2], [0.3]]))
    with pytest.raises(ValueError, match=r"Invalid lr: array of shape \(3, 1\); need a shape that broadcasts "
                                         r"against x of shape \(2, 2\)"):
        opt.init(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"Invalid lr: array of shape \(3, 1\).*x of shape \(2,\)"):
        opt.init(np.zeros(2))   # would enlarge x from (2,) to (3, 2)


def test_caller_array_edits_do_not_leak_into_optimizer():
    lr = np.array([0.1, 0.2])
    opt = GradientDescent(lr=lr)
    lr[0] = -5.0
    assert opt.lr[0] == 0.1


def test_float32_stays_float32_and_matches_float64_closely():
    x32, x64 = np.array([1.0, -2.0], np.float32), np.array([1.0, -2.0])
    for x in (x32, x64):
        opt = Adam(lr=0.01)
        state = opt.init(x)
        for _ in range(50):
            opt.step(x, 2 * x, state)
    assert x32.dtype == np.float32
    np.testing.assert_allclose(x32, x64, rtol=1e-5)


def test_run_validates_and_leaves_x0_alone():
    q = Quadratic()
    x0 = q.start.copy()
    run(Adam(lr=0.1), q, x0, 10)
    np.testing.assert_array_equal(x0, q.start)
    with pytest.raises(ValueError, match=r"Invalid steps: -1; need a whole number >= 0"):
        run(Adam(), q, x0, -1)
    with pytest.raises(ValueError, match=r"Invalid x0: shape \(3,\); need a last axis of length 2"):
        run(Adam(), q, np.zeros(3), 5)


def test_repr_names_the_settings():
    assert repr(Adam(lr=0.01)) == "Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08, bias_correction=True)"
    assert repr(Momentum()) == "Momentum(lr=0.1, momentum=0.9, convention='source')"


def test_gradient_of_bool_or_timedelta_dtype_is_refused():
    opt = GradientDescent()
    x = np.zeros(2)
    state = opt.init(x)
    for g in (np.array([True, False]), np.array([1, 2], dtype="timedelta64[s]")):
        with pytest.raises(TypeError, match=rf"Invalid grad: array of dtype {re.escape(str(g.dtype))}; need real"):
            opt.step(x, g, state)
    np.testing.assert_array_equal(x, np.zeros(2))


def test_broadcast_is_checked_again_for_each_new_shape_of_x():
    opt = GradientDescent(lr=np.array([[0.1], [0.2], [0.3]]))
    x = np.ones((3, 2))
    opt.step(x, np.ones((3, 2)), opt.init(x))        # checked and remembered for shape (3, 2)
    np.testing.assert_allclose(x, [[0.9, 0.9], [0.8, 0.8], [0.7, 0.7]])
    other = np.ones((2, 2))
    with pytest.raises(ValueError, match=r"Invalid lr: array of shape \(3, 1\).*x of shape \(2, 2\)"):
        opt.step(other, np.ones((2, 2)), {"t": 0})
    np.testing.assert_array_equal(other, np.ones((2, 2)))
