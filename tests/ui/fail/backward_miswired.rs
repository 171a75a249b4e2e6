// `backward` called by hand on a mis-wired model: one error.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 3>::ZERO, Sigmoid, Linear::<4, 1>::ZERO);
    let mut grads = net.clone();
    let (out, mut cache) = Zero::ZERO;
    net.backward(&[0.5f32, 1.0], &out, &[1.0], &mut cache, &mut grads, None);
}
