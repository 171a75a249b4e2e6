// The classifier ends in its last `Linear` for training; `Softmax` is applied at inference.
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

fn main() {
    let mut rng = SmallRng::seed_from_u64(0);
    let mut net = (Linear::<4, 16>::he(&mut rng), ReLU, Linear::<16, 3>::glorot(&mut rng));
    let mut trainer = Trainer::new(Adam::new(0.01));
    for _ in 0..200 {
        trainer.step(&mut net, &[1.0f32, 0.0, 0.5, 0.0], &2, &SoftmaxCrossEntropy).unwrap();
    }
    let p = Softmax.infer(&net.infer(&[1.0f32, 0.0, 0.5, 0.0]));
    assert!(p[2] > 0.9, "{p:?}");
}
