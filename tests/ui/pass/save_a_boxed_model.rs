// The boxed model saved and read back through `&*net` and `&mut *copy`.
use typed_nn::prelude::*;

type Net = (Linear<2, 4>, Sigmoid, Linear<4, 1>);

fn main() {
    let mut net: Box<Net> = typed_nn::boxed::zeroed();
    net.2.bias = [0.25];
    let path = std::env::temp_dir().join(format!("typed-nn-ui-boxed-{}.bin", std::process::id()));
    typed_nn::io::save(&path, &*net).unwrap();
    let mut copy: Box<Net> = typed_nn::boxed::zeroed();
    typed_nn::io::load(&path, &mut *copy).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(copy.2.bias, [0.25]);
}
