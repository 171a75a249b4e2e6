// A model ending in a softmax has no int8 form: one error naming it, at the call.
use typed_nn::prelude::*;
use typed_nn::quant::{self, PerChannel};

fn main() {
    let net = (Linear::<4, 8>::ZERO, ReLU, Linear::<8, 3>::ZERO, Softmax);
    let _ = quant::quantize(&net, &[[0.0f32; 4]], PerChannel);
}
