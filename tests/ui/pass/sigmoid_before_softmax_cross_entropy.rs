// A classifier of 3 classes is trained on its last `Linear`'s scores; the softmax comes at
// inference.
use typed_nn::prelude::*;

fn main() {
    let mut net = Linear::<2, 3>::ZERO;
    let mut trainer = Trainer::new(Sgd::new(0.5));
    for _ in 0..200 {
        trainer.step(&mut net, &[0.5f32, -0.5], &2, &SoftmaxCrossEntropy).unwrap();
    }
    let p = Softmax.infer(&net.infer(&[0.5f32, -0.5]));
    assert!(p[2] > 0.9, "{p:?}");
}
