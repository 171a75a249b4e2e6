"""The wide-layer sweep of `cargo bench --bench speed -- sweep`, in JAX, for comparison.

(Linear<N, N>, ReLU, Linear<N, 10>) trained with Adam (lr 1e-3, PyTorch's defaults) and
softmax cross-entropy on batches of 64; the whole step is one jit-compiled function, its
parameters and moments donated so that XLA may update them in place (DONATE=0 leaves
them undonated, as the earlier comparisons did). One thread unless THREADS is set. Prints samples per second for each N: the median of five one-second runs.

    python3 -m venv /tmp/jax && /tmp/jax/bin/pip install jax==0.10.2 numpy
    /tmp/jax/bin/python tools/jax_sweep.py            # one thread
    THREADS=2 /tmp/jax/bin/python tools/jax_sweep.py  # two

With `--against BIN` (the benchmark's binary, whose path `cargo bench --bench speed --no-run`
prints), each N is timed in turns with the crate's same step (`BIN serve N`, a process kept
for the whole comparison, like JAX's): ROUNDS rounds (11 unless given after BIN) of one
second each, the first side alternating round by round, and the row gives both medians and
the median and range of the per-round ratios (the crate's speed over JAX's), so that the
machine's drift affects both sides alike:

    taskset -c 0 /tmp/jax/bin/python tools/jax_sweep.py --against target/release/deps/speed-... 11
"""

import os
import statistics
import subprocess
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


@jax.jit(donate_argnums=(0, 1, 2) if os.environ.get("DONATE", "1") != "0" else ())
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


class Run:
    """JAX's training state at width n, compiled and warmed up."""

    def __init__(self, n):
        rng = np.random.default_rng(11)
        self.params = [jnp.asarray(p) for p in init(n, rng)]
        self.m = [jnp.zeros_like(p) for p in self.params]
        self.v = [jnp.zeros_like(p) for p in self.params]
        self.t = jnp.float32(0)
        self.xs = [jnp.asarray(rng.standard_normal((B, n)).astype(np.float32)) for _ in range(2)]
        self.ys = [
            jnp.asarray(np.eye(C, dtype=np.float32)[rng.integers(0, C, B)]) for _ in range(2)
        ]
        self.steps = 0
        self.advance(3)

    def advance(self, count):
        for _ in range(count):
            i = self.steps % 2
            self.params, self.m, self.v, self.t, value = step(
                self.params, self.m, self.v, self.t, self.xs[i], self.ys[i]
            )
            self.steps += 1
        value.block_until_ready()

    def rate(self, seconds):
        """Samples per second over about `seconds`, after two untimed steps."""
        self.advance(2)
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            i = self.steps % 2
            self.params, self.m, self.v, self.t, value = step(
                self.params, self.m, self.v, self.t, self.xs[i], self.ys[i]
            )
            self.steps += 1
            count += 1
        value.block_until_ready()
        return count * B / (time.perf_counter() - start)


def alone(seconds):
    print(f"JAX {jax.__version__}, {threads} thread(s)")
    print("| N | JAX Adam (samples/s) |")
    print("|---:|---:|")
    for n in (256, 1024, 2048, 4096):
        run = Run(n)
        rates = [run.rate(seconds) for _ in range(5)]
        print(f"| {n} | {statistics.median(rates):.0f} |", flush=True)


def against(binary, rounds, seconds=1.0):
    print(f"JAX {jax.__version__}, {threads} thread(s), {rounds} rounds of {seconds:g} s")
    print("| N | JAX (samples/s) | typed-nn (samples/s) | typed-nn / JAX | range |")
    print("|---:|---:|---:|---:|---|")
    for n in (256, 1024, 2048, 4096):
        crate = subprocess.Popen(
            [binary, "serve", str(n)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

        def crate_rate():
            crate.stdin.write(f"{seconds}\n")
            crate.stdin.flush()
            line = crate.stdout.readline()
            if not line:
                sys.exit(f"{binary} serve {n} ended without a figure")
            return float(line)

        run = Run(n)
        crate_rate()  # the crate's warm-up, as Run's constructor is JAX's
        jax_rates, crate_rates, ratios = [], [], []
        for r in range(rounds):
            if r % 2 == 0:
                j = run.rate(seconds)
                c = crate_rate()
            else:
                c = crate_rate()
                j = run.rate(seconds)
            jax_rates.append(j)
            crate_rates.append(c)
            ratios.append(c / j)
        crate.stdin.close()
        crate.wait()
        print(
            f"| {n} | {statistics.median(jax_rates):.0f} | {statistics.median(crate_rates):.0f}"
            f" | {statistics.median(ratios):.2f}x | {min(ratios):.2f}x-{max(ratios):.2f}x |",
            flush=True,
        )


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--against":
        if len(args) < 2:
            sys.exit("usage: jax_sweep.py --against BIN [ROUNDS]")
        against(args[1], int(args[2]) if len(args) > 2 else 11)
    else:
        alone(float(args[0]) if args else 1.0)
