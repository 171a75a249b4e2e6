//! Inference with weights in flash: a 1-16-16-1 tanh network approximating sin on [0, 2 pi].
//!
//! The weights were trained on the host (`cargo run --release --example sine`) and written as
//! a byte image; `include_bytes!` embeds it and `ConstImage` turns it into a `static` model at
//! compile time, so the weights are read from flash and never copied into RAM. The device must
//! reproduce the host's outputs at 64 points.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use typed_nn::io::ConstImage;
use typed_nn::{Forward, ParamCount, Tanh};
use typed_nn_firmware::sine::{Sine, check};
use typed_nn_firmware::stack;

/// Built by the compiler; an image of another parameter count, one written from another
/// network of as many parameters (its layout differs), or one that is not an image, stops the
/// build with the reason.
static NET: Sine = {
    const BYTES: &[u8] = include_bytes!("../../weights/sine.bin");
    let mut image = match ConstImage::new(BYTES, Sine::PARAM_COUNT) {
        Ok(image) => image,
        Err(e) => panic!("{}", e.message().as_str()),
    };
    let net = (image.linear(), Tanh, image.linear(), Tanh, image.linear());
    match image.finish() {
        Ok(()) => net,
        Err(e) => panic!("{}", e.message().as_str()),
    }
};

#[entry]
fn main() -> ! {
    stack::paint();
    check("sine_infer", true, |x| NET.infer(&[x])[0])
}
