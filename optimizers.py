"""The five optimizers of the course, written to read like their formulas.

Every optimizer has the same shape::

    opt = Adam(lr=0.01)          # hyperparameters: floats, or arrays for sweeps
    state = opt.init(x)          # x: a floating-point numpy array of any shape
    opt.step(x, grad, state)     # updates x and state in place

and each ``step`` mirrors, line by line, the numbered equations of its chapter:
gradient descent (0.1), AdaGrad (1.1)-(1.2), RMSProp (2.1)-(2.2), Momentum
(3.1)-(3.2) and Adam (4.1)-(4.5); the chapter "Beyond Adam" adds AMSGrad
(6.1) and AdamW (6.2). By default the formulas are exactly those of
the course's source (epsilon inside the square root for AdaGrad and RMSProp,
outside it for Adam; momentum as an exponential average of ``-lr * g``).
Options, all off by default, switch to the conventions of ``torch.optim``.

Sweeps: any hyperparameter may be an array that broadcasts against ``x``, so
one call runs many configurations side by side. Fifty learning rates on a 2-D
problem are ``x`` of shape ``(50, 2)`` with ``lr`` of shape ``(50, 1)``; each
row then evolves exactly, bit for bit, as it would alone.

Errors: a bad hyperparameter, ``x``, gradient or state raises ``ValueError`` or
``TypeError`` naming the parameter, its value and the rule, before anything
changes. A gradient holding NaN or inf is refused too (``x`` and the state stay
exactly as they were): it almost always means the run has already diverged.
``eps=0`` is allowed, as in PyTorch, but then a coordinate whose gradients
have all been zero computes 0 / 0 = NaN, exactly as the formulas say.

``run`` drives an optimizer on a landscape (see ``landscapes.py``) and returns
the trajectory and the losses as arrays.
"""

from typing import NamedTuple

import numpy as np

__all__ = ["GradientDescent", "AdaGrad", "RMSProp", "Momentum", "Adam", "AMSGrad", "AdamW", "run", "Trajectory"]


# ---------------------------------------------------------------------------
# Validation at the boundary
# ---------------------------------------------------------------------------

def _describe(value):
    """A short text for a value in an error message: the offending entry of an array."""
    a = np.asarray(value)
    return repr(a.item()) if a.size == 1 else f"array of shape {a.shape}"


def _hyperparameter(name, value, rule):
    """Return ``value`` as a float64 array after checking it against ``rule``.

    ``rule`` is ``">=0"`` (0 <= value, finite) or ``"[0,1)"`` (0 <= value < 1).
    NaN fails both, because every comparison with NaN is false.
    """
    if isinstance(value, (bool, np.bool_)) or not np.issubdtype(np.asarray(value).dtype, np.number):
        raise TypeError(f"Invalid {name}: {value!r}; need a real number or an array of real numbers")
    a = np.array(value, dtype=np.float64)   # a private copy: later edits of the caller's array change nothing
    if rule == ">=0":
        bad = ~((a >= 0) & np.isfinite(a))
        need = f"0 <= {name} < inf"
    else:
        bad = ~((a >= 0) & (a < 1))
        need = f"0 <= {name} < 1"
    if bad.any():
        first = float(a[bad].flat[0]) if a.ndim else a.item()
        where = "" if a.ndim == 0 else f" (in an array of shape {a.shape})"
        raise ValueError(f"Invalid {name}: {first!r}{where}; need {need}")
    return a


def _check_x(x):
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"Invalid x: {type(x).__name__}; need a numpy array of floats "
            "(the update is in place, so a list or a scalar would not see it)")
    if x.dtype.kind != "f":                 # float16 to longdouble; not int, bool or complex
        raise TypeError(
            f"Invalid x: array of dtype {x.dtype}; need a floating-point dtype "
            "(an in-place update would truncate integers)")


class _Optimizer:
    """What all five optimizers share: validation, ``init`` and the step checks."""

    _state_arrays = ()   # names of the per-coordinate state arrays, shaped like x
    _checked_shape = None  # the last shape of x whose broadcasting against the hyperparameters passed

    def init(self, x):
        """Return a fresh state for parameters ``x``: zero arrays shaped like x, and t = 0."""
        _check_x(x)
        self._check_broadcast(x)
        state = {"t": 0}
        for name in self._state_arrays:
            state[name] = np.zeros_like(x)
        return state

    def _check_broadcast(self, x):
        for name, value in self._hyperparameters.items():
            try:
                ok = np.broadcast_shapes(value.shape, x.shape) == x.shape
            except ValueError:
                ok = False
            if not ok:
                raise ValueError(
                    f"Invalid {name}: array of shape {value.shape}; need a shape that "
                    f"broadcasts against x of shape {x.shape} without enlarging it")

    def _check_step(self, x, grad, state):
        """Check everything ``step`` will touch; return the gradient as an array."""
        _check_x(x)
        g = np.asarray(grad)
        if g.dtype.kind not in "iuf":       # signed, unsigned or floating; not bool or complex
            raise TypeError(f"Invalid grad: array of dtype {g.dtype}; need real numbers")
        if g.shape != x.shape:
            raise ValueError(f"Invalid grad: shape {g.shape}; need the shape of x, {x.shape}")
        # g·g is finite only if every entry is (a NaN or an infinity makes it NaN or inf):
        # one quick pass. Entries above about 1e154 overflow it; then each entry is tested.
        if g.dtype.kind == "f" and not np.isfinite(np.vdot(g, g)) and not np.isfinite(g).all():
            raise ValueError(
                f"Invalid grad: {_describe(g[~np.isfinite(g)][0])} in the gradient; need finite "
                "values (x and the state are left unchanged; the run has probably diverged)")
        if not isinstance(state, dict) or "t" not in state:
            raise TypeError(f"Invalid state: {type(state).__name__}; need the dict returned by init(x)")
        for name in self._state_arrays:
            if name not in state or np.shape(state[name]) != x.shape:
                raise ValueError(
                    f"Invalid state: {name!r} is missing or not of shape {x.shape}; "
                    "need the dict returned by init(x) for this x")
        if x.shape != self._checked_shape:  # the hyperparameters are fixed: check each shape once
            self._check_broadcast(x)
            self._checked_shape = x.shape
        return g

    def __repr__(self):
        args = ", ".join(f"{k}={_describe(v) if isinstance(v, np.ndarray) else repr(v)}"
                         for k, v in self._settings().items())
        return f"{type(self).__name__}({args})"

    def _settings(self):
        return dict(self._hyperparameters)


# ---------------------------------------------------------------------------
# The optimizers
# ---------------------------------------------------------------------------

class GradientDescent(_Optimizer):
    r"""Plain gradient descent: a fixed step against the gradient.

    .. math::
        x \leftarrow x - \eta\, g \tag{0.1}

    Legend: :math:`\eta` = ``lr``, :math:`g` = the gradient at ``x``.

    Default ``lr=0.1``: a safe step for functions whose curvature is at most
    about 10 (the update is stable on a quadratic when ``lr < 2 / L``, L the
    largest curvature). The chapter "Gradient descent" derives it from the
    first-order Taylor expansion (Nocedal & Wright, 2006, ch. 3).
    """

    def __init__(self, lr=0.1):
        self.lr = _hyperparameter("lr", lr, ">=0")
        self._hyperparameters = {"lr": self.lr}

    def step(self, x, grad, state):
        """Update ``x`` (and ``state``) in place by one step of (0.1)."""
        g = self._check_step(x, grad, state)
        state["t"] += 1
        x -= self.lr * g                                # (0.1)  x = x - lr * g


class AdaGrad(_Optimizer):
    r"""AdaGrad: each coordinate's step is divided by its accumulated gradient size.

    .. math::
        s &\leftarrow s + g^2 \tag{1.1} \\
        x &\leftarrow x - \frac{\eta}{\sqrt{s + \epsilon}}\, g \tag{1.2}

    Legend: :math:`\eta` = ``lr``, :math:`\epsilon` = ``eps``, :math:`s` =
    ``state["s"]`` (starts at 0), products and roots are per coordinate.

    Defaults ``lr=0.1, eps=1e-8``. With epsilon inside the root, as in the
    course's source, ``eps=1e-8`` caps the divisor from below at 1e-4.
    ``eps_inside_sqrt=False`` uses PyTorch's placement, ``sqrt(s) + eps``
    (``torch.optim.Adagrad`` with its defaults ``lr_decay=0`` and
    ``initial_accumulator_value=0``). Reference: Duchi, Hazan & Singer (2011).
    """

    _state_arrays = ("s",)

    def __init__(self, lr=0.1, eps=1e-8, eps_inside_sqrt=True):
        self.lr = _hyperparameter("lr", lr, ">=0")
        self.eps = _hyperparameter("eps", eps, ">=0")
        self.eps_inside_sqrt = bool(eps_inside_sqrt)
        self._hyperparameters = {"lr": self.lr, "eps": self.eps}

    def step(self, x, grad, state):
        """Update ``x`` and ``state`` in place by one step of (1.1)-(1.2)."""
        g = self._check_step(x, grad, state)
        s = state["s"]
        state["t"] += 1
        s += g * g                                      # (1.1)  s = s + g^2
        if self.eps_inside_sqrt:
            x -= self.lr / np.sqrt(s + self.eps) * g    # (1.2)  x = x - lr / sqrt(s + eps) * g
        else:
            x -= self.lr * g / (np.sqrt(s) + self.eps)  # PyTorch: x = x - lr * g / (sqrt(s) + eps)

    def _settings(self):
        return {**self._hyperparameters, "eps_inside_sqrt": self.eps_inside_sqrt}


class RMSProp(_Optimizer):
    r"""RMSProp: AdaGrad with the running sum replaced by a moving average.

    .. math::
        s &\leftarrow \gamma\, s + (1 - \gamma)\, g^2 \tag{2.1} \\
        x &\leftarrow x - \frac{\eta}{\sqrt{s + \epsilon}}\, g \tag{2.2}

    Legend: :math:`\eta` = ``lr``, :math:`\gamma` = ``gamma``,
    :math:`\epsilon` = ``eps``, :math:`s` = ``state["s"]`` (starts at 0).

    Defaults ``lr=0.01, gamma=0.9, eps=1e-8``: gamma = 0.9 is the value of the
    original lecture (Tieleman & Hinton, 2012), an average over roughly the last
    1 / (1 - gamma) = 10 steps. PyTorch calls gamma ``alpha`` and defaults it
    to 0.99. ``eps_inside_sqrt=False`` gives PyTorch's ``sqrt(s) + eps``
    (``torch.optim.RMSprop`` with ``momentum=0, centered=False``). Without a
    bias correction, s starts small, so the first steps are larger than later
    ones (the RMSProp chapter measures by how much).
    """

    _state_arrays = ("s",)

    def __init__(self, lr=0.01, gamma=0.9, eps=1e-8, eps_inside_sqrt=True):
        self.lr = _hyperparameter("lr", lr, ">=0")
        self.gamma = _hyperparameter("gamma", gamma, "[0,1)")
        self.eps = _hyperparameter("eps", eps, ">=0")
        self.eps_inside_sqrt = bool(eps_inside_sqrt)
        self._hyperparameters = {"lr": self.lr, "gamma": self.gamma, "eps": self.eps}

    def step(self, x, grad, state):
        """Update ``x`` and ``state`` in place by one step of (2.1)-(2.2)."""
        g = self._check_step(x, grad, state)
        s = state["s"]
        state["t"] += 1
        s *= self.gamma                                 # (2.1)  s = gamma * s
        s += (1 - self.gamma) * g * g                   #            + (1 - gamma) * g^2
        if self.eps_inside_sqrt:
            x -= self.lr / np.sqrt(s + self.eps) * g    # (2.2)  x = x - lr / sqrt(s + eps) * g
        else:
            x -= self.lr * g / (np.sqrt(s) + self.eps)  # PyTorch: x = x - lr * g / (sqrt(s) + eps)

    def _settings(self):
        return {**self._hyperparameters, "eps_inside_sqrt": self.eps_inside_sqrt}


class Momentum(_Optimizer):
    r"""Momentum: the step is a velocity that remembers past gradients.

    The course's source (``convention="source"``, the default):

    .. math::
        v &\leftarrow \mu\, v + (1 - \mu)\,(-\eta\, g) \tag{3.1} \\
        x &\leftarrow x + v \tag{3.2}

    Legend: :math:`\mu` = ``momentum`` (the source's ``mc``), :math:`\eta` =
    ``lr``, :math:`g` = the gradient (the source calls it the *negative*
    gradient, but its formula only descends if g is the gradient itself),
    :math:`v` = ``state["v"]`` (starts at 0).

    Because (3.1) is an average, on a constant slope the velocity tends to
    ``-lr * g``: no faster than gradient descent, only smoother. Other forms:

    - ``convention="heavy_ball"`` (Polyak, 1964): ``v = mu*v - lr*g``;
      ``x = x + v``. On a constant slope it reaches ``-lr*g / (1 - mu)``.
    - ``convention="pytorch"`` (``torch.optim.SGD(momentum=mu)`` with
      ``dampening=0, nesterov=False``): a buffer ``b = mu*b + g``, set to
      ``g`` on the first step, and ``x = x - lr*b``. Heavy ball with
      ``v = -lr*b``.

    Defaults ``lr=0.1, momentum=0.9``; 0.9 is the usual choice, and the
    source's (Sutskever et al., 2013).
    """

    _state_arrays = ("v",)
    conventions = ("source", "heavy_ball", "pytorch")

    def __init__(self, lr=0.1, momentum=0.9, convention="source"):
        self.lr = _hyperparameter("lr", lr, ">=0")
        self.momentum = _hyperparameter("momentum", momentum, "[0,1)")
        if convention not in self.conventions:
            raise ValueError(f"Invalid convention: {convention!r}; need one of {', '.join(self.conventions)}")
        self.convention = convention
        self._hyperparameters = {"lr": self.lr, "momentum": self.momentum}

    def step(self, x, grad, state):
        """Update ``x`` and ``state`` in place by one step of (3.1)-(3.2)."""
        g = self._check_step(x, grad, state)
        v, mc, lr = state["v"], self.momentum, self.lr
        if self.convention == "source":
            v *= mc                                     # (3.1)  v = mc * v
            v += (1 - mc) * (-lr * g)                   #            + (1 - mc) * (-lr * g)
            x += v                                      # (3.2)  x = x + v
        elif self.convention == "heavy_ball":
            v *= mc                                     # v = mc * v - lr * g
            v -= lr * g
            x += v                                      # x = x + v
        else:                                           # pytorch: v holds the buffer b
            if state["t"] == 0:
                v[...] = g                              # b = g on the first step
            else:
                v *= mc                                 # b = mc * b + g
                v += g
            x -= lr * v                                 # x = x - lr * b
        state["t"] += 1

    def _settings(self):
        return {**self._hyperparameters, "convention": self.convention}


class Adam(_Optimizer):
    r"""Adam: momentum's average of gradients over RMSProp's average of squares.

    .. math::
        v &\leftarrow \beta_1 v + (1 - \beta_1)\, g \tag{4.1} \\
        s &\leftarrow \beta_2 s + (1 - \beta_2)\, g^2 \tag{4.2} \\
        \hat v &= v / (1 - \beta_1^t) \tag{4.3} \\
        \hat s &= s / (1 - \beta_2^t) \tag{4.4} \\
        x &\leftarrow x - \frac{\eta}{\sqrt{\hat s} + \epsilon}\, \hat v \tag{4.5}

    Legend: :math:`\eta` = ``lr``, :math:`\beta_1, \beta_2` = ``beta1, beta2``,
    :math:`\epsilon` = ``eps`` (outside the root), :math:`v, s` =
    ``state["v"], state["s"]`` (start at 0), :math:`t` = ``state["t"]``,
    the step number counted from 1. The powers :math:`\beta^t` are kept as
    running products in ``state["beta1_t"]`` and ``state["beta2_t"]``, so a
    batch of runs matches single runs bit for bit.

    Defaults ``lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8``, those of the
    paper (Kingma & Ba, 2015) and of PyTorch. ``bias_correction=False`` drops
    (4.3)-(4.4) (then v_hat = v and s_hat = s), for the chapter's experiment.
    PyTorch computes the same formula in another order, so runs agree to
    rounding (about 1e-15 relative), not bit for bit.
    """

    _state_arrays = ("v", "s")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
        self.lr = _hyperparameter("lr", lr, ">=0")
        self.beta1 = _hyperparameter("beta1", beta1, "[0,1)")
        self.beta2 = _hyperparameter("beta2", beta2, "[0,1)")
        self.eps = _hyperparameter("eps", eps, ">=0")
        self.bias_correction = bool(bias_correction)
        self._hyperparameters = {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}

    def init(self, x):
        """Return a fresh state: v = s = 0, t = 0, and beta1^0 = beta2^0 = 1."""
        state = super().init(x)
        state["beta1_t"] = np.ones_like(self.beta1)
        state["beta2_t"] = np.ones_like(self.beta2)
        return state

    def step(self, x, grad, state):
        """Update ``x`` and ``state`` in place by one step of (4.1)-(4.5)."""
        g = self._check_step(x, grad, state)
        v, s, b1, b2 = state["v"], state["s"], self.beta1, self.beta2
        state["t"] += 1
        state["beta1_t"] = state["beta1_t"] * b1        # beta1^t
        state["beta2_t"] = state["beta2_t"] * b2        # beta2^t
        v *= b1                                         # (4.1)  v = beta1 * v
        v += (1 - b1) * g                               #            + (1 - beta1) * g
        s *= b2                                         # (4.2)  s = beta2 * s
        s += (1 - b2) * (g * g)                         #            + (1 - beta2) * g^2
        if self.bias_correction:
            v_hat = v / (1 - state["beta1_t"])          # (4.3)  v_hat = v / (1 - beta1^t)
            s_hat = s / (1 - state["beta2_t"])          # (4.4)  s_hat = s / (1 - beta2^t)
        else:
            v_hat, s_hat = v, s
        x -= self.lr / (np.sqrt(s_hat) + self.eps) * v_hat   # (4.5)  x = x - lr / (sqrt(s_hat) + eps) * v_hat

    def _settings(self):
        return {**self._hyperparameters, "bias_correction": self.bias_correction}


class AMSGrad(Adam):
    r"""AMSGrad: Adam whose divisor never shrinks (Reddi, Kale & Kumar, 2018).

    .. math::
        v &\leftarrow \beta_1 v + (1 - \beta_1)\, g \tag{4.1} \\
        s &\leftarrow \beta_2 s + (1 - \beta_2)\, g^2 \tag{4.2} \\
        s_{\max} &\leftarrow \max(s_{\max}, s) \tag{6.1} \\
        x &\leftarrow x - \frac{\eta}{\sqrt{s_{\max} / (1 - \beta_2^t)} + \epsilon}\,
             \frac{v}{1 - \beta_1^t}

    Adam's step can grow again when a large, rare gradient leaves the average
    s; on Reddi et al.'s counterexample that makes Adam converge to the wrong
    point. Keeping the running maximum ``state["s_max"]`` of s means the
    divisor's s never shrinks (Reddi et al.'s fix). The bias correction, applied
    to s_max afterwards as PyTorch does, can still let a step grow during the
    first steps, while 1 - beta2^t rises. Same arguments and
    defaults as :class:`Adam`; ``bias_correction`` as there. This is the form
    of ``torch.optim.Adam(amsgrad=True)`` (maximum of the uncorrected s,
    corrected afterwards), which it reproduces to rounding.
    """

    _state_arrays = ("v", "s", "s_max")

    def step(self, x, grad, state):
        """Update ``x`` and ``state`` in place by one step of (4.1), (4.2), (6.1)."""
        g = self._check_step(x, grad, state)
        v, s, s_max, b1, b2 = state["v"], state["s"], state["s_max"], self.beta1, self.beta2
        state["t"] += 1
        state["beta1_t"] = state["beta1_t"] * b1        # beta1^t
        state["beta2_t"] = state["beta2_t"] * b2        # beta2^t
        v *= b1                                         # (4.1)  v = beta1 * v
        v += (1 - b1) * g                               #            + (1 - beta1) * g
        s *= b2                                         # (4.2)  s = beta2 * s
        s += (1 - b2) * (g * g)                         #            + (1 - beta2) * g^2
        np.maximum(s_max, s, out=s_max)                 # (6.1)  s_max = max(s_max, s)
        if self.bias_correction:
            v_hat = v / (1 - state["beta1_t"])          # (4.3)
            s_hat = s_max / (1 - state["beta2_t"])      # (4.4), applied to s_max
        else:
            v_hat, s_hat = v, s_max
        x -= self.lr / (np.sqrt(s_hat) + self.eps) * v_hat   # (4.5) with s_max


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    .. math::
        x \leftarrow x - \eta\,\lambda\, x
             - \frac{\eta}{\sqrt{\hat s} + \epsilon}\, \hat v \tag{6.2}

    with :math:`\hat v, \hat s` from Adam's (4.1)-(4.4). Legend:
    :math:`\lambda` = ``weight_decay``, the rest as in :class:`Adam`. The
    decay shrinks x directly, outside the adaptive division; adding
    :math:`\tfrac{\lambda}{2}\lVert x\rVert^2` to the loss instead (an L2
    term) would pass :math:`\lambda x` through the division, so coordinates
    with large gradients would be decayed less. Defaults as Adam's, and
    ``weight_decay=0.01`` as in ``torch.optim.AdamW``, which it reproduces to
    rounding. The decay is applied first, as PyTorch does.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01, bias_correction=True):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps, bias_correction=bias_correction)
        self.weight_decay = _hyperparameter("weight_decay", weight_decay, ">=0")
        self._hyperparameters["weight_decay"] = self.weight_decay

    def step(self, x, grad, state):
        """Update ``x`` and ``state`` in place by one step of (6.2)."""
        g = self._check_step(x, grad, state)
        x *= 1 - self.lr * self.weight_decay           # (6.2)  x = x - lr * weight_decay * x
        super().step(x, g, state)                       #        then Adam's step (4.1)-(4.5)


# ---------------------------------------------------------------------------
# The run driver
# ---------------------------------------------------------------------------

class Trajectory(NamedTuple):
    """The result of ``run``.

    path:     iterates, shape ``(steps + 1, *x0.shape)``; ``path[0]`` is the start.
    loss:     the loss at each iterate, shape ``(steps + 1, *x0.shape[:-1])``.
    diverged: which runs blew up (a non-finite loss or gradient), shape
              ``x0.shape[:-1]``; their path and loss are NaN from then on.
    """

    path: np.ndarray
    loss: np.ndarray
    diverged: np.ndarray


def run(optimizer, landscape, x0, steps):
    """Run ``optimizer`` on ``landscape`` from ``x0`` for ``steps`` steps.

    ``x0`` has shape ``(..., dim)``: one start point, or a batch of them (the
    leading axes), each paired with its own row of any array hyperparameter.
    A run whose loss or gradient stops being finite is frozen and marked as
    diverged; the others go on. ``x0`` itself is not modified.

    >>> from landscapes import Quadratic
    >>> traj = run(GradientDescent(lr=0.5), Quadratic(condition=10), [1.0, 1.0], steps=3)
    >>> traj.path.shape, traj.loss.shape
    ((4, 2), (4,))
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"Invalid steps: {steps!r}; need a whole number >= 0")
    x = np.array(x0, dtype=np.float64 if not np.issubdtype(np.asarray(x0).dtype, np.floating)
                 else np.asarray(x0).dtype)
    if x.ndim == 0 or x.shape[-1] != landscape.dim:
        raise ValueError(f"Invalid x0: shape {x.shape}; need a last axis of length {landscape.dim} "
                         f"for {landscape.name}")
    state = optimizer.init(x)
    path = np.full((steps + 1,) + x.shape, np.nan, dtype=x.dtype)   # NaN where a run has diverged
    loss = np.full((steps + 1,) + x.shape[:-1], np.nan, dtype=x.dtype)
    diverged = np.zeros(x.shape[:-1], dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            f, g = landscape.loss(x), landscape.grad(x)
            if not diverged.any() and np.isfinite(f).all() and np.isfinite(g).all():
                path[t], loss[t] = x, f                 # the usual case: every run still going
            else:
                diverged |= ~np.isfinite(f) | ~np.all(np.isfinite(g), axis=-1)
                path[t] = np.where(diverged[..., None], np.nan, x)
                loss[t] = np.where(diverged, np.nan, f)
                g = np.where(diverged[..., None], 0.0, g)   # frozen runs get g = 0
            if t == steps or diverged.all():
                break
            optimizer.step(x, g, state)
    return Trajectory(path, loss, diverged)
