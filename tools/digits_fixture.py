"""Fixtures for the safetensors tests: a 64-32-10 network trained outside this crate.

Trains scikit-learn's MLPClassifier (logistic hidden layer, Adam 1e-3, batches of 32, 300
epochs, seed 1) on the canonical split of data/digits.csv (pixels / 16), the reference setup
of data/README.md, and saves in tests/fixtures/:

- digits_mlp_f64.safetensors, digits_mlp_f32.safetensors: its weights under the names and in
  the layout of PyTorch's nn.Sequential(nn.Linear(64, 32), nn.Sigmoid(), nn.Linear(32, 10)):
  "0.weight" [32, 64], "0.bias" [32], "2.weight" [10, 32], "2.bias" [10] (scikit-learn keeps
  weights as [in, out]: they are transposed);
- digits_mlp_outputs.safetensors: "inputs" [20, 64], the first 20 test images, and "logits"
  [20, 10], the network's outputs before the softmax, in float64; its metadata holds the test
  accuracy over all 360 test images.

The Rust tests load these without Python. The files are committed; rerun to regenerate:

    python3 -m venv /tmp/fixtures && /tmp/fixtures/bin/pip install numpy scikit-learn safetensors
    /tmp/fixtures/bin/python tools/digits_fixture.py

With --check FILE, it instead loads a safetensors file saved by this crate (for example by
`cargo test --test pytorch_fixture`, which writes target/digits_from_rust.safetensors),
computes the test accuracy with numpy and prints it.
"""

import pathlib
import sys

import numpy as np
from safetensors.numpy import load_file, save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def split():
    rows = np.loadtxt(ROOT / "data" / "digits.csv", delimiter=",", skiprows=1)
    x, y = rows[:, :64] / 16.0, rows[:, 64].astype(int)
    test = np.arange(len(rows)) % 5 == 0
    return x[~test], y[~test], x[test], y[test]


def logits(params, x):
    hidden = 1.0 / (1.0 + np.exp(-(x @ params["0.weight"].T + params["0.bias"])))
    return hidden @ params["2.weight"].T + params["2.bias"]


def check(path):
    params = {k: v.astype(np.float64) for k, v in load_file(path).items()}
    _, _, x_test, y_test = split()
    accuracy = float(np.mean(logits(params, x_test).argmax(axis=1) == y_test))
    print(f"{path}: tensors {sorted(params)}; test accuracy {accuracy:.4f}")


def main():
    from sklearn.neural_network import MLPClassifier

    x_train, y_train, x_test, y_test = split()
    mlp = MLPClassifier(
        hidden_layer_sizes=(32,),
        activation="logistic",
        solver="adam",
        learning_rate_init=1e-3,
        batch_size=32,
        max_iter=300,
        random_state=1,
        n_iter_no_change=300,
    )
    mlp.fit(x_train, y_train)
    params = {
        "0.weight": np.ascontiguousarray(mlp.coefs_[0].T),
        "0.bias": mlp.intercepts_[0],
        "2.weight": np.ascontiguousarray(mlp.coefs_[1].T),
        "2.bias": mlp.intercepts_[1],
    }
    accuracy = float(np.mean(logits(params, x_test).argmax(axis=1) == y_test))
    assert accuracy == mlp.score(x_test, y_test), "the exported network is scikit-learn's"
    FIXTURES.mkdir(parents=True, exist_ok=True)
    meta = {"format": "pt", "source": "tools/digits_fixture.py"}
    save_file({k: v.astype(np.float64) for k, v in params.items()},
              FIXTURES / "digits_mlp_f64.safetensors", metadata=meta)
    save_file({k: v.astype(np.float32) for k, v in params.items()},
              FIXTURES / "digits_mlp_f32.safetensors", metadata=meta)
    inputs = np.ascontiguousarray(x_test[:20])
    save_file(
        {"inputs": inputs, "logits": logits(params, inputs)},
        FIXTURES / "digits_mlp_outputs.safetensors",
        metadata={"test_accuracy": repr(accuracy), "source": "tools/digits_fixture.py"},
    )
    print(f"test accuracy {accuracy:.4f}; fixtures written to {FIXTURES}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        main()
