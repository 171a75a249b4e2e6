"""Fixtures for the safetensors tests: a network built in Flax, saved as Flax saves it.

Flax's nn.Dense stores its weight as `kernel`, [in, out] (PyTorch's nn.Linear: `weight`,
[out, in]). This script initialises (seed 0)

    Dense(8) -> tanh -> Dense(8) -> sigmoid -> Dense(3)

on 4 features (the middle layer square, where a kernel read without transposing would have
the right shape and the wrong values) and saves in tests/fixtures/:

- flax_mlp.safetensors: the variables as Flax's documentation flattens them,
  `safetensors.flax.save_file(flax.traverse_util.flatten_dict(variables, sep="."), path)`:
  "params.Dense_0.kernel" [4, 8], "params.Dense_0.bias" [8], ..., "params.Dense_2.kernel"
  [8, 3], "params.Dense_2.bias" [3], float32;
- flax_mlp_outputs.safetensors: "inputs" [5, 4] and "outputs" [5, 3], the network's outputs
  for those inputs as Flax computes them (`model.apply`), float32.

The Rust tests load these without Python. The files are committed; rerun to regenerate:

    python3 -m venv /tmp/flaxfix && /tmp/flaxfix/bin/pip install flax safetensors
    /tmp/flaxfix/bin/python tools/flax_fixture.py
"""

import pathlib

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
from flax.traverse_util import flatten_dict
from safetensors.flax import save_file as save_flax
from safetensors.numpy import save_file as save_numpy

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"


class Mlp(nn.Module):
    @nn.compact
    def __call__(self, x):
        x = jnp.tanh(nn.Dense(8)(x))
        x = nn.sigmoid(nn.Dense(8)(x))
        return nn.Dense(3)(x)


def main():
    model = Mlp()
    variables = model.init(jax.random.PRNGKey(0), jnp.ones((1, 4), jnp.float32))
    save_flax(flatten_dict(variables, sep="."), str(FIXTURES / "flax_mlp.safetensors"))
    inputs = np.linspace(-2.0, 2.0, 20, dtype=np.float32).reshape(5, 4)
    outputs = np.asarray(model.apply(variables, jnp.asarray(inputs)), dtype=np.float32)
    save_numpy(
        {"inputs": inputs, "outputs": outputs},
        str(FIXTURES / "flax_mlp_outputs.safetensors"),
    )
    print(outputs)


if __name__ == "__main__":
    main()
