// A classifier whose `Softmax` is followed by `Identity` (which passes its values on), trained
// with `SoftmaxCrossEntropy`, which applies its own softmax: the `Identity` does not hide the
// softmax from the trainer's rule.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<4, 3>::ZERO, Softmax, Identity);
    let mut trainer = Trainer::<_, [[f32; 4]; 2], _>::new(Sgd::new(0.1));
    let _ = trainer.step(&mut net, &[[0.0f32; 4]; 2], &[0, 1], &SoftmaxCrossEntropy);
}
