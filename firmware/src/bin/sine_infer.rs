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
use typed_nn::{Forward, Linear, ParamCount, Tanh};
use typed_nn_firmware::{exit, print, print_f32, print_u32, stack};

type Sine = (Linear<1, 16>, Tanh, Linear<16, 16>, Tanh, Linear<16, 1>);

/// Built by the compiler; an image that does not fit the model stops the build.
static NET: Sine = {
    const BYTES: &[u8] = include_bytes!("../../weights/sine.bin");
    let Ok(mut image) = ConstImage::new(BYTES, Sine::PARAM_COUNT) else {
        panic!("weights/sine.bin is not an image of the 1-16-16-1 sine network")
    };
    let net = (image.linear(), Tanh, image.linear(), Tanh, image.linear());
    match image.finish() {
        Ok(()) => net,
        Err(_) => panic!("weights/sine.bin does not match the layers read from it"),
    }
};

/// Pairs (x, host output), little-endian f32.
static EXPECTED: &[u8] = include_bytes!("../../weights/sine_expected.bin");

/// Host and device compute tanh with different libm implementations: allow a few ulps.
const TOLERANCE: f32 = 1e-5;

fn f32_at(bytes: &[u8]) -> f32 {
    f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

#[entry]
fn main() -> ! {
    stack::paint();
    let mut worst = 0.0f32;
    let mut checked = 0u32;
    for pair in EXPECTED.chunks_exact(8) {
        let (x, host) = (f32_at(&pair[..4]), f32_at(&pair[4..]));
        let device = NET.infer(&core::hint::black_box([x]))[0];
        worst = worst.max((device - host).abs());
        checked += 1;
    }
    let peak = stack::peak();
    print("sine_infer: ");
    print_u32(checked);
    print(" points, largest |device - host| = ");
    print_f32(worst);
    print(", peak stack ");
    print_u32(peak as u32);
    print(" bytes\n");
    exit(checked == 64 && worst <= TOLERANCE)
}
