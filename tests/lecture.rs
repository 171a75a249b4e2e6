//! Facts from the lecture, shown numerically on the crate's own layers.

mod common;

use rand::RngExt;
use typed_nn::prelude::*;

/// Two linear layers without a non-linearity between them are one linear map:
/// `W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)`. So depth adds nothing without a
/// non-linearity, which is why hidden layers have one.
#[test]
fn two_linear_layers_are_one_linear_map() {
    type Deep = (Linear<3, 5, f64>, Linear<5, 2, f64>);
    let mut rng = common::rng(17);
    let mut deep = Deep::ZERO;
    deep.init(Scheme::Glorot, &mut rng);

    // A few steps of Adam on random targets, so that the weights (and the biases, which start
    // at zero) are nothing special.
    let mut trainer = Trainer::<Deep, [[f64; 3]; 8], _>::new(Adam::new(0.05));
    for _ in 0..20 {
        let xs: [[f64; 3]; 8] = common::random(&mut rng, 2.0);
        let ts: [[f64; 2]; 8] = common::random(&mut rng, 1.0);
        trainer.step(&mut deep, &xs, &ts, &Mse).unwrap();
    }
    let (first, second) = &deep;
    assert!(first.bias.iter().chain(&second.bias).all(|&b| b != 0.0));

    // W = W2 W1 (2 x 5 times 5 x 3), b = W2 b1 + b2.
    let (w1, w2) = (&first.weight, &second.weight);
    let weight: [[f64; 3]; 2] = core::array::from_fn(|o| {
        core::array::from_fn(|i| (0..5).map(|k| w2[o][k] * w1[k][i]).sum())
    });
    let bias: [f64; 2] = core::array::from_fn(|o| {
        (0..5).map(|k| w2[o][k] * first.bias[k]).sum::<f64>() + second.bias[o]
    });
    let shallow = Linear::<3, 2, f64>::from_parts(weight, bias);

    let mut inputs: Vec<[f64; 3]> =
        vec![[0.0; 3], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    inputs.extend((0..8).map(|_| {
        [
            rng.random_range(-3.0..3.0),
            rng.random_range(-3.0..3.0),
            rng.random_range(-3.0..3.0),
        ]
    }));
    for x in &inputs {
        let (a, b) = (deep.infer(x), shallow.infer(x));
        for (a, b) in a.iter().zip(&b) {
            assert!(
                (a - b).abs() < 1e-12,
                "x = {x:?}: {a} from two layers, {b} from one"
            );
        }
    }
    // A batch goes through both the same way.
    let batch: [[f64; 3]; 4] = common::random(&mut rng, 3.0);
    let (a, b) = (deep.infer(&batch), shallow.infer(&batch));
    for (a, b) in a.iter().flatten().zip(b.iter().flatten()) {
        assert!((a - b).abs() < 1e-12, "{a} from two layers, {b} from one");
    }
}
