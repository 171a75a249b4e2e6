//! The safetensors reader, without an allocator: any bytes give a model or an error with a
//! message, and an error leaves the model as it was.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typed_nn::io::safetensors::{self, Header};
use typed_nn::{Linear, ReLU, Zero};

type Net = (Linear<3, 4>, ReLU, Linear<4, 2>);

fuzz_target!(|bytes: &[u8]| {
    if let Ok(header) = Header::parse(bytes) {
        header.for_each(|t| {
            let _ = (t.name.to_string(), t.dtype.to_string(), t.shape.count());
        });
    }
    let before = {
        let mut net = Net::ZERO;
        net.2.bias = [0.5, -0.5];
        net
    };
    let mut net = before.clone();
    if let Err(e) = safetensors::load(bytes, &mut net) {
        assert!(!e.to_string().is_empty());
        assert_eq!(net, before, "the model changed on an error");
    }
});
