// Two independent labels are trained on the last `Linear`'s logits; the sigmoid comes at
// inference.
use typed_nn::prelude::*;

fn main() {
    let mut net = Linear::<4, 2>::ZERO;
    let mut trainer = Trainer::new(Sgd::new(0.5));
    for _ in 0..200 {
        trainer.step(&mut net, &[0.5f32; 4], &[1.0, 0.0], &BinaryCrossEntropy).unwrap();
    }
    let p = Sigmoid.infer(&net.infer(&[0.5f32; 4]));
    assert!(p[0] > 0.9 && p[1] < 0.1, "{p:?}");
}
