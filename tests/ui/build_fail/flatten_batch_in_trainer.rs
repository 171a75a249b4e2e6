// A batch of 9 x 7 images through `Flatten<64>`, trained through `Trainer`.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Flatten::<64>, Linear::<64, 10>::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let images = [[[0.0f32; 7]; 9]; 32];
    let _ = trainer.step(&mut net, &images, &[0usize; 32], &SoftmaxCrossEntropy);
}
