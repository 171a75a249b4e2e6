// A classifier of 3 classes ending in `Sigmoid`, trained with `SoftmaxCrossEntropy`, which
// applies a softmax to scores: squashed into (0, 1), no class can pass a probability of 0.58.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<2, 3>::ZERO, Sigmoid);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let _ = trainer.step(&mut net, &[0.5f32, -0.5], &2, &SoftmaxCrossEntropy);
}
