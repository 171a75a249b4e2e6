// `forward` called by hand on a mis-wired model: one error.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 3>::ZERO, Sigmoid, Linear::<4, 1>::ZERO);
    let (mut out, mut cache) = Zero::ZERO;
    net.forward(&[0.5f32, 1.0], &mut out, &mut cache);
    let _: [f32; 1] = out;
}
