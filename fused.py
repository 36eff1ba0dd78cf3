"""The course's updates compiled into one pass over memory: a quicker ``step``, same bits.

``optimizers.py`` is the code the book shows and runs. Each of its lines is one numpy
operation, and each operation is a pass over every coordinate: Momentum's (3.1)-(3.2)
take five passes and a temporary array, where ``torch.optim``'s foreach implementation
takes three. On a million coordinates the book's step is up to about 1.6 times slower than
torch's (benchmarks/REPORT.md). Here each update is one loop over the coordinates,
compiled by numba, that does per coordinate the same operations in the same order as
``optimizers.py``, so x and the state come out identical to the bit (tests/test_fused.py
checks it for every optimizer and option, and on random input)::

    import fused
    fused.step(opt, x, grad, state)      # what opt.step(x, grad, state) does, in one pass

The checks are ``opt.step``'s own: the same errors, and bad input changes nothing.
Where a loop would not give the same bits, ``step`` calls ``opt.step`` itself (the same
result, at numpy's speed): arrays other than contiguous float64, a hyperparameter that is
an array (a sweep), a gradient or state that shares memory with x or with each other,
and subclasses of the course's optimizers. Each loop is compiled on its first use (about
half a second, cached on disk afterwards); the book's small 2-D runs do not need it.
"""

import math

import numba
import numpy as np

from optimizers import AdaGrad, Adam, AdamW, AMSGrad, GradientDescent, Momentum, RMSProp

__all__ = ["step"]


def step(opt, x, grad, state):
    """Do ``opt.step(x, grad, state)``: update x and state in place, in one compiled pass."""
    g = opt._check_step(x, grad, state)        # opt.step's checks; on bad input nothing changes
    kernel = _KERNELS.get(type(opt))
    if kernel is None or not _one_pass_is_exact(opt, x, g, state):
        opt.step(x, g, state)
        return
    kernel(opt, x.reshape(-1), g.reshape(-1), state)


def _one_pass_is_exact(opt, x, g, state):
    """Whether a loop gives opt.step's bits: float64 contiguous arrays that share no memory,
    scalar hyperparameters."""
    arrays = [x, g] + [state[name] for name in opt._state_arrays]
    if not all(isinstance(a, np.ndarray) and a.dtype == np.float64 and a.flags.c_contiguous for a in arrays):
        return False
    if not (x.flags.writeable and all(state[name].flags.writeable for name in opt._state_arrays)):
        return False
    if any(np.ndim(value) for value in opt._hyperparameters.values()):
        return False
    return not any(np.may_share_memory(a, b) for i, a in enumerate(arrays) for b in arrays[i + 1:])


# ---------------------------------------------------------------------------
# One loop per optimizer. Each line does, for one coordinate i, what a line (or two) of
# its step in optimizers.py does: the same operations in the same order, so the same
# rounding. error_model="numpy": x / 0 gives inf or NaN, as in numpy, instead of raising.
# ---------------------------------------------------------------------------

_compiled = numba.njit(cache=True, error_model="numpy")


@_compiled
def _gradient_descent_loop(x, g, lr):
    for i in range(x.size):
        x[i] = x[i] - lr * g[i]                                 # (0.1)  x = x - lr * g


@_compiled
def _adagrad_loop(x, g, s, lr, eps, eps_inside_sqrt):
    for i in range(x.size):
        s[i] = s[i] + g[i] * g[i]                               # (1.1)  s = s + g^2
        x[i] = x[i] - _scaled(g[i], s[i], lr, eps, eps_inside_sqrt)   # (1.2)


@_compiled
def _rmsprop_loop(x, g, s, lr, gamma, eps, eps_inside_sqrt):
    for i in range(x.size):
        s[i] = s[i] * gamma + (1 - gamma) * g[i] * g[i]         # (2.1)  s = gamma * s + (1 - gamma) * g^2
        x[i] = x[i] - _scaled(g[i], s[i], lr, eps, eps_inside_sqrt)   # (2.2)


@_compiled
def _scaled(g, s, lr, eps, eps_inside_sqrt):
    """AdaGrad's and RMSProp's step for one coordinate."""
    if eps_inside_sqrt:
        return lr / math.sqrt(s + eps) * g                      # (1.2), (2.2)  lr / sqrt(s + eps) * g
    return lr * g / (math.sqrt(s) + eps)                        # PyTorch: lr * g / (sqrt(s) + eps)


@_compiled
def _momentum_loop(x, g, v, lr, mc, convention, first_step):
    for i in range(x.size):
        if convention == 0:                                     # source
            v[i] = v[i] * mc + (1 - mc) * (-lr * g[i])          # (3.1)  v = mc * v + (1 - mc) * (-lr * g)
            x[i] = x[i] + v[i]                                  # (3.2)  x = x + v
        elif convention == 1:                                   # heavy_ball
            v[i] = v[i] * mc - lr * g[i]                        # v = mc * v - lr * g
            x[i] = x[i] + v[i]                                  # x = x + v
        else:                                                   # pytorch: v holds the buffer b
            v[i] = g[i] if first_step else v[i] * mc + g[i]     # b = g on the first step, then mc * b + g
            x[i] = x[i] - lr * v[i]                             # x = x - lr * b


@_compiled
def _adam_loop(x, g, v, s, s_max, lr, b1, b2, eps, c1, c2, decay, bias_correction, amsgrad):
    for i in range(x.size):
        x[i] = x[i] * decay                                     # (6.2) AdamW's decay (decay = 1 for Adam: exact)
        v[i] = v[i] * b1 + (1 - b1) * g[i]                      # (4.1)  v = beta1 * v + (1 - beta1) * g
        s[i] = s[i] * b2 + (1 - b2) * (g[i] * g[i])             # (4.2)  s = beta2 * s + (1 - beta2) * g^2
        s_used = s[i]
        if amsgrad:                                             # (6.1)  s_max = max(s_max, s), as np.maximum
            if s[i] > s_max[i] or s[i] != s[i]:                 #        (a NaN wins)
                s_max[i] = s[i]
            s_used = s_max[i]
        if bias_correction:
            v_hat = v[i] / c1                                   # (4.3)  v_hat = v / (1 - beta1^t)
            s_hat = s_used / c2                                 # (4.4)  s_hat = s / (1 - beta2^t)
        else:
            v_hat, s_hat = v[i], s_used
        x[i] = x[i] - lr / (math.sqrt(s_hat) + eps) * v_hat     # (4.5)  x = x - lr / (sqrt(s_hat) + eps) * v_hat


# ---------------------------------------------------------------------------
# Each optimizer's step around its loop: the scalar bookkeeping, as in optimizers.py.
# ---------------------------------------------------------------------------

def _gradient_descent(opt, x, g, state):
    state["t"] += 1
    _gradient_descent_loop(x, g, float(opt.lr))


def _adagrad(opt, x, g, state):
    state["t"] += 1
    _adagrad_loop(x, g, state["s"].reshape(-1), float(opt.lr), float(opt.eps), opt.eps_inside_sqrt)


def _rmsprop(opt, x, g, state):
    state["t"] += 1
    _rmsprop_loop(x, g, state["s"].reshape(-1), float(opt.lr), float(opt.gamma), float(opt.eps),
                  opt.eps_inside_sqrt)


def _momentum(opt, x, g, state):
    _momentum_loop(x, g, state["v"].reshape(-1), float(opt.lr), float(opt.momentum),
                   Momentum.conventions.index(opt.convention), state["t"] == 0)
    state["t"] += 1


def _adam(opt, x, g, state):
    state["t"] += 1
    state["beta1_t"] = state["beta1_t"] * opt.beta1            # beta1^t
    state["beta2_t"] = state["beta2_t"] * opt.beta2            # beta2^t
    decay = 1 - opt.lr * opt.weight_decay if isinstance(opt, AdamW) else 1.0
    amsgrad = isinstance(opt, AMSGrad)
    s_max = state["s_max"].reshape(-1) if amsgrad else np.empty(0)
    _adam_loop(x, g, state["v"].reshape(-1), state["s"].reshape(-1), s_max,
               float(opt.lr), float(opt.beta1), float(opt.beta2), float(opt.eps),
               float(1 - state["beta1_t"]), float(1 - state["beta2_t"]), float(decay),
               opt.bias_correction, amsgrad)


_KERNELS = {GradientDescent: _gradient_descent, AdaGrad: _adagrad, RMSProp: _rmsprop,
            Momentum: _momentum, Adam: _adam, AMSGrad: _adam, AdamW: _adam}
