// The corrected twin of `fail/f64_data_for_f32_model.rs`.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<2, 4>::ZERO, Sigmoid, Linear::<4, 1>::ZERO);
    let mut trainer = Trainer::new(Sgd::new(0.1));
    let x: [f32; 2] = [0.0, 1.0];
    let _ = trainer.step(&mut net, &x, &[1.0], &Mse);
}
