// A classifier trained on its scores; `Softmax` (and anything after it) comes at inference.
use typed_nn::prelude::*;

fn main() {
    let mut net = Linear::<4, 3>::ZERO;
    let mut trainer = Trainer::<_, [[f32; 4]; 2], _>::new(Sgd::new(0.5));
    let x = [[1.0f32, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]];
    for _ in 0..50 {
        trainer.step(&mut net, &x, &[0, 1], &SoftmaxCrossEntropy).unwrap();
    }
    let p = (Softmax, Identity).infer(&net.infer(&x[1]));
    assert!(p[1] > 0.5, "{p:?}");
}
