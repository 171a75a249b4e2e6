// A classifier that ends in `Softmax`, trained with `SoftmaxCrossEntropy`, which applies its
// own softmax: the loss would see the softmax of probabilities.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<4, 16>::ZERO, ReLU, Linear::<16, 3>::ZERO, Softmax);
    let mut trainer = Trainer::new(Adam::new(0.01));
    let _ = trainer.step(&mut net, &[0.0f32; 4], &2, &SoftmaxCrossEntropy);
}
