// A binary classifier with a ReLU after every layer, the last too, trained with
// `BinaryCrossEntropy`: its logits are never negative, so every probability is at least 0.5.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<30, 16>::ZERO, ReLU, Linear::<16, 1>::ZERO, ReLU);
    let mut trainer = Trainer::<_, [[f32; 30]; 8], _>::new(Adam::new(1e-3));
    let (xs, ts) = (vec![[0.0f32; 30]; 64], vec![[1.0f32]; 64]);
    let _ = trainer.epoch(&mut net, &xs, &ts, &BinaryCrossEntropy);
}
