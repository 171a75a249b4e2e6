// `gradcheck` on an f32 model: finite differences need f64.
use typed_nn::prelude::*;

fn main() {
    let mut net = (Linear::<2, 4>::ZERO, Sigmoid, Linear::<4, 1>::ZERO);
    let _ = typed_nn::gradcheck::gradcheck(&mut net, &[0.0f32, 1.0], &[1.0], &Mse);
}
