// The corrected twin of `fail/gradcheck_on_f32_model.rs`.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<2, 4, f64>::ZERO, Sigmoid, Linear::<4, 1, f64>::ZERO);
    let _ = typed_nn::gradcheck::gradcheck(&mut net, &[0.0f64, 1.0], &[1.0], &Mse);
}
