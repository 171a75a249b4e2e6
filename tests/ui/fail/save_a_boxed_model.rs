// A model built on the heap, saved as it is held: the byte image is of the model, not its box.
use typed_nn::prelude::*;

type Net = (Linear<2, 4>, Sigmoid, Linear<4, 1>);

fn main() {
    let net: Box<Net> = typed_nn::boxed::zeroed();
    let path = std::env::temp_dir().join("typed-nn-ui-boxed.bin");
    typed_nn::io::save(&path, &net).unwrap();
}
