// The last layer expects 32 features, the one before gives 16.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 16>::ZERO, Tanh, Linear::<16, 16>::ZERO, Tanh, Linear::<32, 1>::ZERO);
    let _ = net.infer(&[0.0, 1.0]);
}
