// Without the softmax (which does not move the argmax), the model quantizes.
use typed_nn::prelude::*;
use typed_nn::quant::{self, PerChannel};

fn main() {
    let net = (Linear::<4, 8>::ZERO, ReLU, Linear::<8, 3>::ZERO);
    let int8 = quant::quantize(&net, &[[0.0f32; 4], [1.0; 4]], PerChannel).unwrap();
    assert_eq!(int8.infer(&[0.0; 4]), [0.0; 3]);
}
