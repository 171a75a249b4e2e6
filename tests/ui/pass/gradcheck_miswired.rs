// The corrected twin of `fail/gradcheck_miswired.rs`.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<3, 4, f64>::ZERO, Tanh, Linear::<4, 2, f64>::ZERO);
    let _ = typed_nn::gradcheck::gradcheck(&mut net, &[0.5, -1.0, 2.0], &[1.0, 0.0], &Mse);
}
