// An f64 learning rate for Adam, whose moments have the model's type, on an f32 model: one
// error, where the optimizer meets the model.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<2, 4>::ZERO, Sigmoid, Linear::<4, 1>::ZERO);
    let lr: f64 = 0.01;
    let mut trainer = Trainer::new(Adam::new(lr));
    let _ = trainer.step(&mut net, &[0.0f32, 1.0], &[1.0], &Mse);
}
