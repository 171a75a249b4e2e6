// The corrected twin of `fail/adam_f64_learning_rate_for_f32_model.rs`.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<2, 4>::ZERO, Sigmoid, Linear::<4, 1>::ZERO);
    let lr: f32 = 0.01;
    let mut trainer = Trainer::new(Adam::new(lr));
    let _ = trainer.step(&mut net, &[0.0f32, 1.0], &[1.0], &Mse);
}
