// Model A's Adam state moved into model B's trainer.
use typed_nn::prelude::*;

fn main() {
    let mut a = (Linear::<2, 6>::ZERO, Sigmoid, Linear::<6, 1>::ZERO);
    let mut b = (Linear::<4, 3>::ZERO, Sigmoid, Linear::<3, 1>::ZERO);
    let mut first = Trainer::new(Adam::new(0.01));
    let _ = first.step(&mut a, &[0.0, 1.0], &[1.0], &Mse);
    let mut second = Trainer::new(first.optimizer);
    let _ = second.step(&mut b, &[0.0, 1.0, 2.0, 3.0], &[1.0], &Mse);
}
