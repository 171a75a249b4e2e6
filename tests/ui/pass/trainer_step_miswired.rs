// The corrected twin of `fail/trainer_step_miswired.rs`.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<16, 1>::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let _ = trainer.step(&mut net, &[0.0, 1.0], &[1.0], &Mse);
}
