// The corrected twin of `fail/loss_target_of_wrong_width.rs`.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<2, 4>::ZERO, Sigmoid, Linear::<4, 1>::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let _ = trainer.step(&mut net, &[0.0, 1.0], &[1.0], &Mse);
}
