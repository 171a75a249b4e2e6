// The corrected twin of `fail/trainer_of_another_model.rs`.
use typed_nn::prelude::*;

fn main() {
    let mut a = (Linear::<2, 6>::ZERO, Sigmoid, Linear::<6, 1>::ZERO);
    let mut b = (Linear::<2, 3>::ZERO, Sigmoid, Linear::<3, 1>::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let _ = trainer.step(&mut a, &[0.0, 1.0], &[1.0], &Mse);
    let mut other = Trainer::new(Sgd::new(0.1));
    let _ = other.step(&mut b, &[0.0, 1.0], &[1.0], &Mse);
}
