// The corrected twin of `fail/image_bytes_into_array_of_wrong_length.rs`.
use typed_nn::prelude::*;

fn main() {
    let net = (Linear::<2, 4>::ZERO, Tanh, Linear::<4, 1>::ZERO);
    let image: [u8; 88] = typed_nn::io::to_image::<f32, _>(&net).unwrap()[..].try_into().unwrap();
    let _ = image;
}
