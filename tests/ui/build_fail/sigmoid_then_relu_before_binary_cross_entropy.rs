// A ReLU after the sigmoid leaves its probabilities as they are: `BinaryCrossEntropy` would
// still apply a second sigmoid.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<30, 1>::ZERO, Sigmoid, ReLU);
    let mut trainer = Trainer::<_, [[f32; 30]; 8], _>::new(Sgd::new(0.1));
    let (xs, ts) = (vec![[0.0f32; 30]; 64], vec![[1.0f32]; 64]);
    let _ = trainer.epoch(&mut net, &xs, &ts, &BinaryCrossEntropy);
}
