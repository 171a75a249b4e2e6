//! int8 inference with the model in flash: the 1-16-16-1 sine network quantized on the host
//! (`cargo run --release --example sine`: int8 weights, one scale per output channel, i32
//! biases, tanh by the crate's interpolated table from `i16` pre-activations) and built into a
//! `static` by `ConstQuantImage` at compile time.
//!
//! Between the int8 input and the int8 output everything is integer arithmetic, so the device
//! must reproduce the host's int8 outputs at the 64 points exactly.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use typed_nn::quant::{ConstQuantImage, QLinear, QTanh, Quantized};
use typed_nn_firmware::sine::check_int8;
use typed_nn_firmware::stack;

type SineInt8 = (
    QLinear<1, 16, i16>, // i16 pre-activations into the tanh
    QTanh,
    QLinear<16, 16, i16>,
    QTanh,
    QLinear<16, 1>,
);

/// Built by the compiler; an image that does not fit the model stops the build with the
/// reason.
static NET: Quantized<SineInt8> = {
    const BYTES: &[u8] = include_bytes!("../../weights/sine_int8.bin");
    let mut image = match ConstQuantImage::new(BYTES) {
        Ok(image) => image,
        Err(e) => panic!("{}", e.message().as_str()),
    };
    let model = (
        image.linear(),
        image.tanh(),
        image.linear(),
        image.tanh(),
        image.linear(),
    );
    match image.finish(model) {
        Ok(net) => net,
        Err(e) => panic!("{}", e.message().as_str()),
    }
};

#[entry]
fn main() -> ! {
    stack::paint();
    check_int8(
        "sine_int8",
        |q| NET.output.dequantize(q),
        |x| NET.infer(&[x])[0],
    )
}
