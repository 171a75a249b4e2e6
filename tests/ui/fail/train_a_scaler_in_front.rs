// A fitted standardizer put in front of the model before training: it has no backward pass
// (its means and deviations are fitted, not learned).
use typed_nn::data::Standardizer;
use typed_nn::prelude::*;

fn main() {
    let scaler = Standardizer::<4>::fit(&[[1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0]]);
    let mut net = (scaler, Linear::<4, 3>::ZERO, ReLU, Linear::<3, 1>::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let _ = trainer.step(&mut net, &[1.0, 2.0, 3.0, 4.0], &[1.0], &Mse);
}
