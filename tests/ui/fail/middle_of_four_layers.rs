// The third of four linear layers expects 9 features, not 8.
use typed_nn::prelude::*;

fn main() {
    type Four = (Linear<4, 16>, ReLU, Linear<16, 8>, ReLU, Linear<9, 8>, ReLU, Linear<8, 2>);
    let _ = Four::ZERO.infer(&[0.0; 4]);
}
