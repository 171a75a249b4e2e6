"""The wide-layer sweep of `cargo bench --bench speed -- sweep`, in JAX, for comparison.

(Linear<N, N>, ReLU, Linear<N, 10>) trained with Adam (lr 1e-3, PyTorch's defaults) and
softmax cross-entropy on batches of 64; the whole step is one jit-compiled function. One
thread unless THREADS is set. Prints samples per second for each N, as the bench does.

    python3 -m venv /tmp/jax && /tmp/jax/bin/pip install jax numpy
    /tmp/jax/bin/python tools/jax_sweep.py            # one thread
    THREADS=2 /tmp/jax/bin/python tools/jax_sweep.py  # two
"""

import os
import sys
import time

threads = int(os.environ.get("THREADS", "1"))
if threads == 1:
    os.environ["XLA_FLAGS"] = (
        "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    )
    os.environ.setdefault("OMP_NUM_THREADS", "1")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

B, C = 64, 10
LR, B1, B2, EPS = 1e-3, 0.9, 0.999, 1e-8


def init(n, rng):
    he = np.sqrt(6.0 / n)
    glorot = np.sqrt(6.0 / (n + C))
    return [
        rng.uniform(-he, he, (n, n)).astype(np.float32),
        np.zeros(n, np.float32),
        rng.uniform(-glorot, glorot, (C, n)).astype(np.float32),
        np.zeros(C, np.float32),
    ]


def loss(params, x, y):
    w1, b1, w2, b2 = params
    h = jax.nn.relu(x @ w1.T + b1)
    logits = h @ w2.T + b2
    return -jnp.mean(jnp.sum(jax.nn.log_softmax(logits) * y, axis=1))


@jax.jit
def step(params, m, v, t, x, y):
    value, grads = jax.value_and_grad(loss)(params, x, y)
    t = t + 1
    m = [B1 * mi + (1 - B1) * g for mi, g in zip(m, grads)]
    v = [B2 * vi + (1 - B2) * g * g for vi, g in zip(v, grads)]
    c1, c2 = 1 - B1**t, 1 - B2**t
    params = [
        p - LR * (mi / c1) / (jnp.sqrt(vi / c2) + EPS) for p, mi, vi in zip(params, m, v)
    ]
    return params, m, v, t, value


def rate(n, seconds):
    rng = np.random.default_rng(11)
    params = [jnp.asarray(p) for p in init(n, rng)]
    m = [jnp.zeros_like(p) for p in params]
    v = [jnp.zeros_like(p) for p in params]
    t = jnp.float32(0)
    xs = [jnp.asarray(rng.standard_normal((B, n)).astype(np.float32)) for _ in range(2)]
    ys = [jnp.asarray(np.eye(C, dtype=np.float32)[rng.integers(0, C, B)]) for _ in range(2)]
    params, m, v, t, value = step(params, m, v, t, xs[0], ys[0])
    value.block_until_ready()
    best = 0.0
    for _ in range(5):
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            params, m, v, t, value = step(params, m, v, t, xs[steps % 2], ys[steps % 2])
            steps += 1
        value.block_until_ready()
        best = max(best, steps * B / (time.perf_counter() - start))
    return best


if __name__ == "__main__":
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    print(f"JAX {jax.__version__}, {threads} thread(s)")
    print("| N | JAX Adam (samples/s) |")
    print("|---:|---:|")
    for n in (256, 1024, 2048, 4096):
        print(f"| {n} | {rate(n, seconds):.0f} |", flush=True)
