// An f64 learning rate for an f32 model.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<2, 4>::ZERO, Sigmoid, Linear::<4, 1>::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1f64));
    let _ = trainer.step(&mut net, &[0.0f32, 1.0], &[1.0], &Mse);
}
