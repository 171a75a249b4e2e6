//! The byte image reader: any bytes give a model or an error with a message, and an error
//! leaves the model as it was.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typed_nn::io::Image;
use typed_nn::{Linear, Sigmoid, Zero};

type Net = (Linear<2, 3>, Sigmoid, Linear<3, 1>);

fuzz_target!(|bytes: &[u8]| {
    let before = {
        let mut net = Net::ZERO;
        net.0.bias = [1.0, 2.0, 3.0];
        net
    };
    let mut net = before.clone();
    if let Err(e) = Image::<f32>::read_image(&mut net, bytes) {
        assert!(!e.to_string().is_empty());
        assert_eq!(net, before, "the model changed on an error");
    }
});
