// Logistic regression is `Linear<30, 1>` trained on its logit; the sigmoid comes at inference.
use typed_nn::prelude::*;

fn main() {
    let mut net = Linear::<30, 1>::ZERO;
    let mut trainer = Trainer::<_, [[f32; 30]; 8], _>::new(Sgd::new(0.1));
    let xs: Vec<[f32; 30]> = (0..64).map(|i| [if i % 2 == 0 { 1.0 } else { -1.0 }; 30]).collect();
    let ts: Vec<[f32; 1]> = (0..64).map(|i| [if i % 2 == 0 { 1.0 } else { 0.0 }]).collect();
    for _ in 0..5 {
        trainer.epoch(&mut net, &xs, &ts, &BinaryCrossEntropy).unwrap();
    }
    let p = Sigmoid.infer(&net.infer(&[-1.0f32; 30]));
    assert!(p[0] < 0.1, "{p:?}");
}
