// The same classifier ends in its last `Linear`, the logit: it learns to call a sample
// negative, which the ReLU at its end would have kept it from.
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

fn main() {
    let mut rng = SmallRng::seed_from_u64(1);
    let mut net = (Linear::<30, 16>::he(&mut rng), ReLU, Linear::<16, 1>::glorot(&mut rng));
    let mut trainer = Trainer::<_, [[f32; 30]; 8], _>::new(Adam::new(1e-2));
    let xs: Vec<[f32; 30]> = (0..64).map(|i| [if i % 2 == 0 { 1.0 } else { -1.0 }; 30]).collect();
    let ts: Vec<[f32; 1]> = (0..64).map(|i| [if i % 2 == 0 { 1.0 } else { 0.0 }]).collect();
    for _ in 0..20 {
        trainer.epoch(&mut net, &xs, &ts, &BinaryCrossEntropy).unwrap();
    }
    let p = Sigmoid.infer(&net.infer(&[-1.0f32; 30]));
    assert!(p[0] < 0.1, "{p:?}");
}
