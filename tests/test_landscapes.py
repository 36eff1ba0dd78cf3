"""Tests of landscapes.py: gradients against finite differences, minima, batching,
and that every optimizer reaches the convex landscapes' minimum in a stated budget."""

import hashlib

import numpy as np
import pytest

from landscapes import (Beale, Noisy, OnlineCounterexample, Pit1D, Pit2D, Quadratic, Rosenbrock, Saddle, Scaled,
                        SigmoidNetwork)
from optimizers import AdaGrad, Adam, AMSGrad, GradientDescent, Momentum, RMSProp, run

LANDSCAPES = [Quadratic(), Quadratic(condition=50, angle=30), Rosenbrock(), Beale(), Saddle(), Pit1D(), Pit2D(),
              SigmoidNetwork(sizes=(2, 4, 3, 1), n_samples=40), Scaled(Pit2D(), 0.01)]


def finite_difference(land, x, h=1e-6):
    eye = np.eye(land.dim)
    return np.array([(land.loss(x + h * e) - land.loss(x - h * e)) / (2 * h) for e in eye])


@pytest.mark.parametrize("land", LANDSCAPES, ids=lambda l: l.name)
def test_gradient_matches_finite_differences(land):
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = land.start + 0.3 * rng.standard_normal(land.dim)
        fd = finite_difference(land, x)
        np.testing.assert_allclose(land.grad(x), fd, rtol=1e-6, atol=1e-7 * (1 + np.abs(fd).max()))


@pytest.mark.parametrize("land", LANDSCAPES, ids=lambda l: l.name)
def test_batched_evaluation_equals_one_at_a_time(land):
    rng = np.random.default_rng(1)
    xs = land.start + 0.5 * rng.standard_normal((3, 4, land.dim))
    assert land.loss(xs).shape == (3, 4) and land.grad(xs).shape == (3, 4, land.dim)
    for i in range(3):
        for j in range(4):
            np.testing.assert_allclose(land.loss(xs)[i, j], land.loss(xs[i, j]), rtol=1e-13)
            np.testing.assert_allclose(land.grad(xs)[i, j], land.grad(xs[i, j]), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("land", [l for l in LANDSCAPES if l.minimum is not None], ids=lambda l: l.name)
def test_minimum_is_stationary_and_lowest_nearby(land):
    np.testing.assert_allclose(land.grad(land.minimum), 0, atol=1e-12)
    assert land.loss(land.minimum) == pytest.approx(land.min_value, abs=1e-12)
    rng = np.random.default_rng(2)
    around = land.minimum + 1e-2 * rng.standard_normal((50, land.dim))
    assert np.all(land.loss(around) > land.min_value)


def test_quadratic_condition_and_rotation():
    q = Quadratic(condition=25, angle=40)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.A), [1 / 25, 1.0], rtol=1e-14)
    flat = np.array([np.cos(np.radians(40)), np.sin(np.radians(40))])   # the rotated first axis
    np.testing.assert_allclose(q.A @ flat, flat / 25, atol=1e-15)
    for angle in (0, 30, 45, 90, 135):   # the start point lies inside the plotting window at every angle
        q = Quadratic(condition=10, angle=angle)
        assert q.xlim[0] < q.start[0] < q.xlim[1] and q.ylim[0] < q.start[1] < q.ylim[1]
    with pytest.raises(ValueError, match=r"Invalid condition: 0\.5; need 1 <= condition < inf"):
        Quadratic(condition=0.5)


def test_pit_landscapes_have_a_shallow_pit_before_the_deeper_minimum():
    p = Pit1D()
    assert p.grad(p.local_minimum) == pytest.approx(0) and p.grad(p.barrier) == pytest.approx(0)
    assert p.loss(p.local_minimum) == pytest.approx(-5 / 12)
    assert p.loss(p.minimum) < p.loss(p.local_minimum) < p.loss(p.barrier) < p.loss(p.start)
    assert p.start[0] < p.local_minimum[0] < p.barrier[0] < p.minimum[0]
    q = Pit2D()
    np.testing.assert_allclose(q.grad(q.local_minimum), 0, atol=1e-15)
    assert q.loss(q.local_minimum) == pytest.approx(-5 / 12)
    # plain gradient descent from the standard starts stops in the shallow pit
    assert run(GradientDescent(lr=0.05), p, p.start, 2000).path[-1, 0] == pytest.approx(-1, abs=1e-6)
    np.testing.assert_allclose(run(GradientDescent(lr=0.05), q, q.start, 2000).path[-1], q.local_minimum, atol=1e-6)


def test_saddle_is_a_saddle():
    s = Saddle()
    np.testing.assert_allclose(s.grad(np.zeros(2)), 0)
    assert s.loss(np.array([0.1, 0.0])) > 0 > s.loss(np.array([0.0, 0.1]))


def test_sigmoid_network_is_deterministic_and_shows_vanishing_gradients():
    a, b = SigmoidNetwork(seed=3), SigmoidNetwork(seed=3)
    np.testing.assert_array_equal(a.inputs, b.inputs)
    np.testing.assert_array_equal(a.start, b.start)
    assert a.dim == sum(sl.stop - sl.start for sl in a.layer_slices)
    assert a.loss(a.start) == pytest.approx(np.log(2), abs=0.1)   # an untrained network guesses about 1/2
    g = a.grad(a.start)
    norms = [np.linalg.norm(g[sl]) for sl in a.layer_slices]
    assert norms[0] < norms[-1] / 10        # the first layer's gradient is far smaller than the last's
    with pytest.raises(ValueError, match=r"Invalid sizes: \(2, 3\); need at least two positive layer widths ending in 1"):
        SigmoidNetwork(sizes=(2, 3))


def test_sigmoid_network_reuses_its_last_forward_pass_only_for_the_same_input():
    """loss then grad at one point share a forward pass, bit for bit what separate passes give."""
    kept, fresh = SigmoidNetwork(), SigmoidNetwork()
    x = np.stack([kept.init(seed) for seed in range(3)])
    loss = kept.loss(x)
    acts = kept._forward(x)
    assert kept._forward(x.copy()) is acts                       # same bytes: the kept pass
    assert kept.grad(x).tobytes() == fresh.grad(x).tobytes()
    assert loss.tobytes() == SigmoidNetwork().loss(x).tobytes()
    x[1, 5] += 1e-9                                                # changed in place: a new pass
    assert kept._forward(x) is not acts
    assert kept.grad(x).tobytes() == SigmoidNetwork().grad(x).tobytes()
    z = np.where(x == 0, -0.0, x)                                  # the zero biases as -0.0: equal values,
    assert (z == x).all() and z.tobytes() != x.tobytes()          # other bytes, so a new pass
    acts = kept._forward(x)
    assert kept._forward(z) is not acts
    acts = kept._forward(x)
    assert kept._forward(x[:1]) is not acts                        # another shape: a new pass
    for seed in range(3):                                          # a run: loss and grad at every step
        traj = run(Adam(lr=0.05), kept, kept.init(seed), 20)
        again = run(Adam(lr=0.05), _TwoPasses(SigmoidNetwork()), kept.init(seed), 20)
        assert traj.path.tobytes() == again.path.tobytes() and traj.loss.tobytes() == again.loss.tobytes()


class _TwoPasses:
    """A sigmoid network that forgets its forward pass before every call: two passes per step."""

    def __init__(self, net):
        self.net, self.dim, self.name = net, net.dim, net.name

    def loss(self, x):
        self.net._last = None
        return self.net.loss(x)

    def grad(self, x):
        self.net._last = None
        return self.net.grad(x)


# Each optimizer, with the stated hyperparameters, reaches the quadratic's minimum (distance < tol)
# within the stated number of steps, for condition numbers up to 100 and rotated valleys.
# RMSProp with a constant learning rate ends in a 2-cycle of amplitude about lr / sqrt(2)
# around the minimum, so its tolerance is lr itself.
BUDGETS = [
    (GradientDescent(lr=1.0), 2000, 1e-6),
    (AdaGrad(lr=1.0), 2000, 1e-6),
    (RMSProp(lr=0.01), 1000, 0.01),
    (Momentum(lr=1.0, momentum=0.9), 2000, 1e-6),
    (Momentum(lr=0.5, momentum=0.9, convention="heavy_ball"), 500, 1e-6),
    (Adam(lr=0.01), 6000, 1e-6),
]


@pytest.mark.parametrize("opt, steps, tol", BUDGETS, ids=lambda v: repr(v) if not np.isscalar(v) else str(v))
@pytest.mark.parametrize("condition, angle", [(1, 0), (10, 0), (10, 30), (100, 0), (100, 45)])
def test_every_optimizer_reaches_the_quadratic_minimum(opt, steps, tol, condition, angle):
    q = Quadratic(condition=condition, angle=angle)
    traj = run(opt, q, q.start, steps)
    distance = np.linalg.norm(traj.path - q.minimum, axis=-1)
    assert distance.min() < tol, f"closest approach {distance.min():.3g} after {steps} steps"


def test_noisy_gradient_is_reproducible_and_unbiased():
    base = Quadratic(condition=10)
    a, b = Noisy(base, sigma=0.5, seed=7), Noisy(base, sigma=0.5, seed=7)
    x = np.tile(base.start, (20000, 1))
    ga = a.grad(x)
    np.testing.assert_array_equal(ga, b.grad(x))
    np.testing.assert_allclose(ga.mean(axis=0), base.grad(base.start), atol=0.02)   # 4 standard errors
    np.testing.assert_allclose(ga.std(axis=0), 0.5, rtol=0.03)
    assert a.loss(base.start) == base.loss(base.start) and a.minimum is base.minimum and a.dim == 2
    a.reset()
    np.testing.assert_array_equal(a.grad(x), ga)
    with pytest.raises(ValueError, match=r"Invalid sigma: -1; need 0 <= sigma < inf"):
        Noisy(base, sigma=-1)



def test_scaled_landscape_multiplies_loss_and_gradient_and_keeps_the_rest():
    base = Pit2D()
    flat = Scaled(base, 1e-3)
    x = np.random.default_rng(0).normal(size=(5, 2))
    np.testing.assert_array_equal(flat.loss(x), 1e-3 * base.loss(x))
    np.testing.assert_array_equal(flat.grad(x), 1e-3 * base.grad(x))
    assert flat.min_value == 1e-3 * base.min_value and flat.name == f"{base.name} × 0.001"
    assert flat.minimum is base.minimum and flat.local_minimum is base.local_minimum and flat.xlim == base.xlim
    for bad in (0, -1.0, np.inf, True, np.array([1.0, 2.0])):
        with pytest.raises(ValueError, match=r"Invalid c: .*; need a finite number > 0"):
            Scaled(base, bad)


@pytest.mark.parametrize("c", [1e-4, 1e4])
def test_scaling_the_loss_rescales_gd_but_leaves_adam_without_eps_unchanged(c):
    # Gradient descent on c*f with lr/c is gradient descent on f with lr; Adam with eps = 0 divides
    # the scale out by itself (its step is v_hat / sqrt(s_hat)), so the same lr gives the same path.
    base = Rosenbrock()
    np.testing.assert_allclose(run(GradientDescent(lr=1e-3 / c), Scaled(base, c), base.start, 100).path,
                               run(GradientDescent(lr=1e-3), base, base.start, 100).path, rtol=1e-9)
    np.testing.assert_allclose(run(Adam(lr=0.01, eps=0.0), Scaled(base, c), base.start, 100).path,
                               run(Adam(lr=0.01, eps=0.0), base, base.start, 100).path, rtol=1e-9, atol=1e-12)

def test_online_counterexample_adam_goes_to_the_worst_point_and_amsgrad_does_not():
    prob = OnlineCounterexample(C=3.0)
    assert [prob.grad(np.zeros(1), t)[0] for t in (1, 2, 3, 4)] == [3.0, -1.0, -1.0, 3.0]
    beta2 = 1 / (1 + prob.C ** 2)
    finals = {}
    for name, opt in {"Adam": Adam(lr=0.1, beta1=0.0, beta2=beta2),
                      "AMSGrad": AMSGrad(lr=0.1, beta1=0.0, beta2=beta2)}.items():
        x = prob.start.copy()
        state = opt.init(x)
        path = []
        for t in range(1, 3001):
            opt.step(x, prob.grad(x, t), state)
            prob.project(x)
            path.append(x[0])
        finals[name] = np.mean(path[-300:])    # with a constant lr the iterate saw-tooths within each period
    assert finals["Adam"] > 0.9           # near the worst point, +1
    assert finals["AMSGrad"] < -0.9       # near the best one, -1
    with pytest.raises(ValueError, match=r"Invalid t: 0; need a step number >= 1"):
        prob.grad(np.zeros(1), 0)


def test_floating_point_kernels_are_the_ones_the_stored_outputs_were_made_with():
    # The notebooks' stored outputs are compared bit for bit (nbval), and some experiments
    # sit at the edge of stability, where a last-bit difference in a matrix product grows.
    # Which bits come out depends on OpenBLAS's kernels and numpy's SIMD loops, so the
    # Makefile pins both (OPENBLAS_CORETYPE=Haswell, no AVX-512 loops in numpy). This
    # fingerprint of 300 steps of a sigmoid network is of that pinned environment; on a
    # machine with AVX2 and FMA it holds whatever else the CPU has.
    net = SigmoidNetwork()
    starts = np.stack([net.init(seed) for seed in range(4)])
    loss = run(GradientDescent(lr=8.0), net, starts, 300).loss
    fingerprint = hashlib.sha256(np.ascontiguousarray(loss, dtype="<f8").tobytes()).hexdigest()[:16]
    assert fingerprint == "e811e4430acfbf7c", (
        f"floating-point fingerprint {fingerprint}, not the pinned environment's: run the tests "
        "through make (which sets OPENBLAS_CORETYPE and NPY_DISABLE_CPU_FEATURES), on x86-64 "
        "with AVX2 and FMA; otherwise nbval will find last-digit differences in the notebooks")
