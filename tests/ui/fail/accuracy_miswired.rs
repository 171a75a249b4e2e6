// `accuracy` of a mis-wired classifier: one error, at the call.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<4, 8>::ZERO, ReLU, Linear::<6, 3>::ZERO);
    let inputs = [[0.0f32; 4]; 10];
    let _ = accuracy(&net, &inputs, &[0; 10]);
}
