// The corrected twin of `build_fail/flatten_batch_in_trainer.rs`.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Flatten::<63>, Linear::<63, 10>::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let images = [[[0.0f32; 7]; 9]; 32];
    let _ = trainer.step(&mut net, &images, &[0usize; 32], &SoftmaxCrossEntropy);
}
