"""Test landscapes for the optimizers: each a loss with its analytic gradient.

Every landscape has the same small interface::

    land.loss(x)      # x of shape (..., dim)  ->  shape (...)
    land.grad(x)      # x of shape (..., dim)  ->  shape (..., dim)
    land.minimum      # the global minimiser, shape (dim,)  (None if unknown)
    land.min_value    # the loss there
    land.start        # a standard start point, shape (dim,)
    land.xlim, land.ylim   # a plotting window (2-D landscapes; 1-D have xlim)

``loss`` and ``grad`` work on any leading axes, so a batch of points (for
example one per learning rate of a sweep) is evaluated in one call.
"""

import numpy as np

__all__ = ["Quadratic", "Rosenbrock", "Beale", "Saddle", "Pit1D", "Pit2D", "SigmoidNetwork", "Noisy",
           "Scaled", "OnlineCounterexample"]


def _points(x, dim):
    x = np.asarray(x)
    if x.dtype.kind != "f":             # not floating point (float16 to longdouble): as float64
        x = np.asarray(x, dtype=float)
    if x.ndim == 0 or x.shape[-1] != dim:
        raise ValueError(f"Invalid x: shape {x.shape}; need a last axis of length {dim}")
    return x


class Quadratic:
    r"""An ill-conditioned quadratic bowl, optionally rotated.

    .. math:: f(x) = \tfrac12\, x^\top A x, \qquad A = R_\theta\,
              \mathrm{diag}(\mu, L)\, R_\theta^\top, \quad L = 1,\ \mu = 1/\kappa

    ``condition`` is the condition number :math:`\kappa = L/\mu`; ``angle``
    (degrees) turns the valley away from the axes. The largest curvature is
    ``L = 1``, so gradient descent converges exactly for ``0 < lr < 2``.
    The flat direction (curvature ``mu``) is the first axis when ``angle=0``.
    """

    dim = 2

    def __init__(self, condition=10.0, angle=0.0):
        if not (np.isfinite(condition) and condition >= 1):
            raise ValueError(f"Invalid condition: {condition!r}; need 1 <= condition < inf")
        if not np.isfinite(angle):
            raise ValueError(f"Invalid angle: {angle!r}; need a finite number of degrees")
        self.condition, self.angle = float(condition), float(angle)
        self.L, self.mu = 1.0, 1.0 / self.condition
        c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
        R = np.array([[c, -s], [s, c]])
        self.A = R @ np.diag([self.mu, self.L]) @ R.T
        self.name = f"Quadratic (κ = {self.condition:g}, θ = {self.angle:g}°)"
        self.minimum, self.min_value = np.zeros(2), 0.0
        self.start = R @ np.array([-4.0, 1.5])
        # the window [-5, 5] x [-2.5, 2.5] around the unturned valley, turned with it (bounding box)
        half_x, half_y = 5 * abs(c) + 2.5 * abs(s), 5 * abs(s) + 2.5 * abs(c)
        self.xlim, self.ylim = (-half_x, half_x), (-half_y, half_y)

    def loss(self, x):
        x = _points(x, 2)
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x)

    def grad(self, x):
        return _points(x, 2) @ self.A    # A is symmetric, so x @ A = A x


class Rosenbrock:
    r"""Rosenbrock's banana valley, :math:`f = (a - x)^2 + b\,(y - x^2)^2`; minimum at (a, a²)."""

    dim = 2

    def __init__(self, a=1.0, b=100.0):
        self.a, self.b = float(a), float(b)
        self.name = f"Rosenbrock (a = {self.a:g}, b = {self.b:g})"
        self.minimum, self.min_value = np.array([self.a, self.a ** 2]), 0.0
        self.start = np.array([-1.2, 1.0])
        self.xlim, self.ylim = (-2.0, 2.0), (-1.0, 3.0)

    def loss(self, x):
        x = _points(x, 2)
        u, w = x[..., 0], x[..., 1]
        return (self.a - u) ** 2 + self.b * (w - u ** 2) ** 2

    def grad(self, x):
        x = _points(x, 2)
        u, w = x[..., 0], x[..., 1]
        r = w - u ** 2
        return np.stack([-2 * (self.a - u) - 4 * self.b * u * r, 2 * self.b * r], axis=-1)


class Beale:
    r"""Beale's function, flat plateaus and steep walls; minimum 0 at (3, 0.5).

    .. math:: f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2
    """

    dim = 2
    _c = np.array([1.5, 2.25, 2.625])

    def __init__(self):
        self.name = "Beale"
        self.minimum, self.min_value = np.array([3.0, 0.5]), 0.0
        self.start = np.array([1.0, 1.5])
        self.xlim, self.ylim = (-4.5, 4.5), (-4.5, 4.5)

    def _residuals(self, x):
        x = _points(x, 2)
        u, w = x[..., 0, None], x[..., 1, None]
        k = np.arange(1, 4)
        return u, w, k, self._c - u + u * w ** k          # r_k = c_k - x + x y^k

    def loss(self, x):
        return np.sum(self._residuals(x)[3] ** 2, axis=-1)

    def grad(self, x):
        u, w, k, r = self._residuals(x)
        du = np.sum(2 * r * (w ** k - 1), axis=-1)
        dw = np.sum(2 * r * u * k * w ** (k - 1), axis=-1)
        return np.stack([du, dw], axis=-1)


class Saddle:
    r"""A saddle at the origin between two minima at (0, ±1).

    .. math:: f = \tfrac12 x^2 - \tfrac12 y^2 + \tfrac14 y^4

    The origin is a stationary point that is a minimum along x and a maximum
    along y; the minima (0, ±1) have loss -1/4. The standard start sits almost
    on the x axis, where the gradient barely points away from the saddle.
    """

    dim = 2

    def __init__(self):
        self.name = "Saddle"
        self.minimum, self.min_value = np.array([0.0, 1.0]), -0.25
        self.start = np.array([-1.5, 1e-3])
        self.xlim, self.ylim = (-2.0, 2.0), (-1.6, 1.6)

    def loss(self, x):
        x = _points(x, 2)
        u, w = x[..., 0], x[..., 1]
        return 0.5 * u ** 2 - 0.5 * w ** 2 + 0.25 * w ** 4

    def grad(self, x):
        x = _points(x, 2)
        u, w = x[..., 0], x[..., 1]
        return np.stack([u, w ** 3 - w], axis=-1)


class Pit1D:
    r"""A shallow pit before a deeper minimum, in one dimension.

    .. math:: f(x) = \tfrac14 x^4 - \tfrac13 x^3 - x^2, \qquad f'(x) = x\,(x + 1)(x - 2)

    From the standard start x = -2.5, downhill leads first into the shallow
    local minimum at x = -1 (f = -5/12); past a barrier at x = 0 (f = 0) lies
    the global minimum at x = 2 (f = -8/3).
    """

    dim = 1
    local_minimum, barrier = np.array([-1.0]), np.array([0.0])

    def __init__(self):
        self.name = "Pit (1-D)"
        self.minimum, self.min_value = np.array([2.0]), -8.0 / 3.0
        self.start = np.array([-2.5])
        self.xlim = (-2.6, 3.0)

    def loss(self, x):
        u = _points(x, 1)[..., 0]
        return u ** 4 / 4 - u ** 3 / 3 - u ** 2

    def grad(self, x):
        u = _points(x, 1)
        return u * (u + 1) * (u - 2)


class Pit2D:
    r"""The 1-D pit laid along a curved valley in two dimensions.

    .. math:: f(x, y) = p(x) + 2\,(y - \tfrac12 \sin x)^2, \qquad
              p(x) = \tfrac14 x^4 - \tfrac13 x^3 - x^2

    The valley floor is the curve y = sin(x) / 2. Along it lie the shallow
    local minimum at x = -1, the saddle at the origin and the global minimum
    at x = 2, each at y = sin(x) / 2.
    """

    dim = 2

    def __init__(self):
        self.name = "Pit (2-D)"
        self.local_minimum = np.array([-1.0, 0.5 * np.sin(-1.0)])
        self.minimum, self.min_value = np.array([2.0, 0.5 * np.sin(2.0)]), -8.0 / 3.0
        self.start = np.array([-2.5, 1.0])
        self.xlim, self.ylim = (-2.7, 3.0), (-1.8, 1.8)

    def loss(self, x):
        x = _points(x, 2)
        u, w = x[..., 0], x[..., 1]
        return u ** 4 / 4 - u ** 3 / 3 - u ** 2 + 2 * (w - 0.5 * np.sin(u)) ** 2

    def grad(self, x):
        x = _points(x, 2)
        u, w = x[..., 0], x[..., 1]
        d = w - 0.5 * np.sin(u)
        return np.stack([u * (u + 1) * (u - 2) - 2 * d * np.cos(u), 4 * d], axis=-1)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))     # = 1 / (1 + exp(-z)), without overflow


class SigmoidNetwork:
    r"""A small fully connected sigmoid network on a generated two-class dataset.

    The parameters of all layers are flattened into one vector of length
    ``dim``, so the network is a landscape like the others: ``loss(x)`` is the
    mean binary cross-entropy of the network with parameters ``x`` and
    ``grad(x)`` its gradient, by hand-written backpropagation; both work on
    batches of parameter vectors (leading axes).

    The data are two concentric rings (inner ring class 0, outer ring class 1)
    with Gaussian noise, ``n_samples`` points drawn from
    ``np.random.default_rng(seed)``. ``layer_slices[k]`` selects layer k's
    weights and bias in the flat vector, for per-layer gradient sizes.
    ``init(seed)`` draws a starting vector with Glorot-uniform weights and zero
    biases (Glorot & Bengio, 2010). Deep stacks of sigmoids shrink the
    gradient layer by layer (each sigmoid's slope is at most 1/4), so the
    first layers get the smallest gradients: the vanishing-gradient problem.

    The network remembers its last forward pass, so ``loss(x)`` then
    ``grad(x)`` at the same point (as ``run`` calls them) compute it once,
    with the same numbers as computing it twice.
    """

    def __init__(self, sizes=(2, 8, 8, 8, 8, 1), n_samples=200, noise=0.1, seed=0):
        sizes = tuple(int(n) for n in sizes)
        if len(sizes) < 2 or min(sizes) < 1 or sizes[-1] != 1:
            raise ValueError(f"Invalid sizes: {sizes!r}; need at least two positive layer widths ending in 1")
        self.sizes, self.seed = sizes, seed
        rng = np.random.default_rng(seed)
        labels = np.arange(n_samples) % 2
        radius = np.where(labels == 1, 2.0, 1.0) + noise * rng.standard_normal(n_samples)
        angle = rng.uniform(0, 2 * np.pi, n_samples)
        self.inputs = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=-1)
        self.labels = labels.astype(float)
        self.layer_slices, start = [], 0
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            self.layer_slices.append(slice(start, start + n_out * n_in + n_out))
            start += n_out * n_in + n_out
        self.dim = start
        self.name = f"Sigmoid network {'-'.join(map(str, sizes))}"
        self.minimum, self.min_value = None, 0.0
        self.start = self.init(seed)
        self._last = None                 # (the input's bytes, its activations): see _forward

    def init(self, seed=0):
        """A starting parameter vector: Glorot-uniform weights, zero biases."""
        rng = np.random.default_rng(seed)
        parts = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            limit = np.sqrt(6.0 / (n_in + n_out))
            parts += [rng.uniform(-limit, limit, n_out * n_in), np.zeros(n_out)]
        return np.concatenate(parts)

    def _layers(self, x):
        """Split parameter vectors (..., dim) into [(W (..., out, in), b (..., out)), ...]."""
        layers = []
        for (n_in, n_out), sl in zip(zip(self.sizes[:-1], self.sizes[1:]), self.layer_slices):
            p = x[..., sl]
            W = p[..., : n_out * n_in].reshape(x.shape[:-1] + (n_out, n_in))
            layers.append((W, p[..., n_out * n_in:]))
        return layers

    def _forward(self, x):
        """Activations of every layer, each of shape (..., n_samples, width); not to be modified.

        The last input (its exact bytes) and its activations are kept: the
        same input again gets them back instead of a second forward pass.
        """
        key = (x.shape, x.dtype, x.tobytes())
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        acts = [self.inputs]
        for W, b in self._layers(x):
            acts.append(_sigmoid(acts[-1] @ np.swapaxes(W, -1, -2) + b[..., None, :]))
        self._last = (key, acts)
        return acts

    def predict(self, x):
        """The network's probability of class 1 for every sample, shape (..., n_samples)."""
        return self._forward(_points(x, self.dim))[-1][..., 0]

    def loss(self, x):
        p = np.clip(self.predict(x), 1e-12, 1 - 1e-12)
        y = self.labels
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p), axis=-1)

    def grad(self, x):
        x = _points(x, self.dim)
        acts = self._forward(x)
        n = len(self.labels)
        delta = (acts[-1] - self.labels[:, None]) / n     # dLoss/dz of the output (sigmoid + cross-entropy)
        grads = []
        for k in range(len(self.sizes) - 2, -1, -1):
            W, _ = self._layers(x)[k]
            dW = np.swapaxes(delta, -1, -2) @ acts[k]     # (..., out, in)
            db = delta.sum(axis=-2)
            grads.append(np.concatenate([dW.reshape(x.shape[:-1] + (-1,)), db], axis=-1))
            if k > 0:
                a = acts[k]
                delta = (delta @ W) * a * (1 - a)          # back through layer k's sigmoid
        return np.concatenate(grads[::-1], axis=-1)

    def accuracy(self, x):
        """The fraction of samples classified correctly, shape (...)."""
        return np.mean((self.predict(x) > 0.5) == (self.labels > 0.5), axis=-1)


class _Wrapper:
    """A landscape built on ``self.base``: every attribute it does not set is the base's."""

    def __getattr__(self, name):          # dim, minimum, min_value, start, xlim, ylim, ...
        if name == "base":                # not set yet (copying, pickling): no recursion
            raise AttributeError(name)
        return getattr(self.base, name)


class Noisy(_Wrapper):
    """Another landscape with Gaussian noise added to its gradient, as in stochastic training.

    ``loss`` is the base landscape's, exact; ``grad`` is the base gradient plus
    ``sigma`` times standard normal noise drawn from ``np.random.default_rng(seed)``,
    fresh at every call. The sequence of noise is fixed by the seed, so a run
    is reproducible; call ``reset()`` (or make a new object) to replay it.
    Every other attribute (minimum, start, plotting window) is the base's.
    """

    def __init__(self, base, sigma=0.1, seed=0):
        if not (np.isfinite(sigma) and sigma >= 0):
            raise ValueError(f"Invalid sigma: {sigma!r}; need 0 <= sigma < inf")
        self.base, self.sigma, self.seed = base, float(sigma), seed
        self.name = f"{base.name} + gradient noise (σ = {self.sigma:g})"
        self.reset()

    def reset(self):
        """Restart the noise sequence from the seed."""
        self._rng = np.random.default_rng(self.seed)

    def loss(self, x):
        return self.base.loss(x)

    def grad(self, x):
        g = self.base.grad(x)
        return g + self.sigma * self._rng.standard_normal(g.shape)


class Scaled(_Wrapper):
    """Another landscape with its loss, and so every gradient, multiplied by ``c > 0``.

    The same minimiser and the same contours, c times steeper (c > 1) or
    flatter (c < 1): the experiment that tells an optimizer whose steps follow
    the gradient's size from one whose steps do not. ``min_value`` is the
    base's times c, and ``name`` says the factor; every other attribute
    (minimum, start, plotting window) is the base's.

    >>> Scaled(Pit2D(), 1e-3).grad(x)        # 1e-3 * Pit2D().grad(x)
    """

    def __init__(self, base, c):
        if isinstance(c, bool) or not (np.isscalar(c) and np.isfinite(c) and c > 0):
            raise ValueError(f"Invalid c: {c!r}; need a finite number > 0")
        self.base, self.c = base, float(c)
        self.min_value = self.c * base.min_value
        self.name = f"{base.name} × {self.c:.3g}"

    def loss(self, x):
        return self.c * self.base.loss(x)

    def grad(self, x):
        return self.c * self.base.grad(x)


class OnlineCounterexample:
    r"""Reddi, Kale & Kumar's (2018) online problem on which Adam converges to the worst point.

    At step t (counted from 1) the loss is :math:`f_t(x) = C x` when
    t mod 3 == 1 and :math:`-x` otherwise, for x in the interval [-1, 1]
    (after each step, x is projected back: ``project``). Over each period of
    three steps the gradients are C, -1, -1, whose sum C - 2 > 0 points up, so
    the best fixed point is x = -1 (the ``minimum``), where the average loss
    (C - 2)/3 * x is lowest. With beta1 = 0 and beta2 = 1 / (1 + C^2), Adam
    drifts to x = +1, the worst point: the rare large gradient C is forgotten
    by the average of squares, while the frequent small ones keep pushing up.
    ``loss(x, t)`` and ``grad(x, t)`` take the step number; ``average_loss(x)``
    is the mean over one period. Shapes: x is (..., 1), as for 1-D landscapes.
    """

    dim = 1

    def __init__(self, C=3.0):
        if not (np.isfinite(C) and C > 2):
            raise ValueError(f"Invalid C: {C!r}; need C > 2 (finite)")
        self.C = float(C)
        self.name = f"Online counterexample (C = {self.C:g})"
        self.minimum, self.min_value = np.array([-1.0]), -(self.C - 2) / 3
        self.start = np.array([0.0])
        self.xlim = (-1.0, 1.0)

    def _slope(self, t):
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 1:
            raise ValueError(f"Invalid t: {t!r}; need a step number >= 1")
        return self.C if t % 3 == 1 else -1.0

    def loss(self, x, t):
        return self._slope(t) * _points(x, 1)[..., 0]

    def grad(self, x, t):
        return np.full_like(_points(x, 1), self._slope(t))

    def average_loss(self, x):
        """The loss averaged over one period of three steps, (C - 2) / 3 * x."""
        return (self.C - 2) / 3 * _points(x, 1)[..., 0]

    @staticmethod
    def project(x):
        """Clip x into the feasible interval [-1, 1], in place."""
        np.clip(x, -1.0, 1.0, out=x)
        return x
