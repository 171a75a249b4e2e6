// A model of 2 inputs given a sample of 3.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<16, 1>::ZERO);
    let _ = net.infer(&[0.0, 1.0, 2.0]);
}
