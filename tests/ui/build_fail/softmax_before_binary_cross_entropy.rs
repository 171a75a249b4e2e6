// Two outputs ending in `Softmax`, trained with `BinaryCrossEntropy`, which applies a sigmoid
// to logits: every output would be scored as at least 0.5.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<4, 2>::ZERO, Softmax);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let _ = trainer.step(&mut net, &[0.5f32; 4], &[1.0, 0.0], &BinaryCrossEntropy);
}
