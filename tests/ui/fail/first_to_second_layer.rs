// The first layer's 16 outputs feed a layer of 3 inputs.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<4, 16>::ZERO, Linear::<3, 3>::ZERO, Sigmoid);
    let _ = net.infer(&[0.0; 4]);
}
