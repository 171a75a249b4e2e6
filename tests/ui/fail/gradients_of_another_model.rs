// `backward` given the gradients of another model.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 3>::ZERO, Sigmoid, Linear::<3, 1>::ZERO);
    let mut grads = (Linear::<2, 4>::ZERO, Sigmoid, Linear::<4, 1>::ZERO);
    let (mut out, mut cache) = Zero::ZERO;
    let x = [0.5f32, 1.0];
    net.forward(&x, &mut out, &mut cache);
    net.backward(&x, &out, &[1.0], &mut cache, &mut grads, None);
}
