// A trainer whose input type is one sample, `[f32; 1]`, given a data set to `epoch`: its
// sample becomes a single float. One error, saying to name the batch in the trainer's type.
use typed_nn::prelude::*;

fn main() {
    let mut net = Linear::<1, 1>::ZERO;
    let mut trainer = Trainer::<_, [f32; 1], _>::new(Sgd::new(0.1));
    let (xs, ys) = ([0.5f32, 0.25, 1.0], [1.0f32, 0.5, 2.0]);
    let _ = trainer.epoch(&mut net, &xs, &ys, &Mse);
}
