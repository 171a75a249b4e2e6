// A 4-layer model whose third layer expects 9 features where the second makes 8.
use typed_nn::prelude::*;

type Net = (Linear<4, 16>, ReLU, Linear<16, 8>, ReLU, Linear<9, 8>, ReLU, Linear<8, 2>);

fn main() {
    let net = Net::ZERO;
    let _ = net.infer(&[0.0; 4]);
}
