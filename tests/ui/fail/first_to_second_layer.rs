// The first layer makes 16 features; the second expects 8.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<4, 16>::ZERO, Linear::<8, 3>::ZERO, Sigmoid);
    let _ = net.infer(&[0.0; 4]);
}
