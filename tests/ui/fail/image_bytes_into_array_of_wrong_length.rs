// A byte image turned into an array: it is a slice of the model's length, not an array.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 4>::ZERO, Tanh, Linear::<4, 1>::ZERO);
    let image: [u8; 64] = typed_nn::io::to_image::<f32, _>(&net).unwrap().into();
    let _ = image;
}
