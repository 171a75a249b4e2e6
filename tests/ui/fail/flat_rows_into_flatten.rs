// A model that begins with `Flatten<784>` given a batch of flat rows, `[[f32; 784]; 32]`: it
// takes the batch for one image of 32 rows, and its one prediction meets 32 targets.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Flatten::<784>::ZERO, Linear::<784, 10>::ZERO);
    let mut trainer = Trainer::<_, [[f32; 784]; 32], _>::new(Sgd::new(0.1));
    let (xs, cs) = (vec![[0.0f32; 784]; 64], vec![0usize; 64]);
    let _ = trainer.epoch(&mut net, &xs, &cs, &SoftmaxCrossEntropy);
}
