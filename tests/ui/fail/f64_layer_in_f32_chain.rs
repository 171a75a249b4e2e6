// An f64 layer inside an f32 model, trained through `Trainer`.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<2, 4>::ZERO, Sigmoid, Linear::<4, 1, f64>::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let _ = trainer.step(&mut net, &[0.0f32, 1.0], &[1.0], &Mse);
}
