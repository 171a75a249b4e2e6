//! Importing PyTorch-format weights on the device: the 1-16-16-1 sine network read from a
//! safetensors file (`include_bytes!`), without an allocator, into a model in RAM.
//!
//! `cargo run --release --example sine` writes `weights/sine.safetensors` with PyTorch's
//! `nn.Sequential` names (`0.weight`, `0.bias`, `2.weight`, ...), as
//! `safetensors.torch.save_file(model.state_dict())` would. The device parses the header in
//! place, checks every tensor against the model's type, copies the values, and must reproduce
//! the host's outputs at 64 points; a file with a wrong shape must be refused.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use typed_nn::io::safetensors;
use typed_nn::{Forward, Linear, Tanh, Zero};
use typed_nn_firmware::{exit, print, print_f32, print_u32, stack};

type Sine = (Linear<1, 16>, Tanh, Linear<16, 16>, Tanh, Linear<16, 1>);

static FILE: &[u8] = include_bytes!("../../weights/sine.safetensors");

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
    let mut net = Sine::ZERO;
    let loaded = safetensors::load(core::hint::black_box(FILE), &mut net).is_ok();
    // The same file is not a 1-8-1 network: refused, the model untouched.
    let mut other = (Linear::<1, 8>::ZERO, Tanh, Linear::<8, 1>::ZERO);
    let refused = safetensors::load(FILE, &mut other).is_err() && other == Zero::ZERO;
    let mut worst = 0.0f32;
    let mut checked = 0u32;
    for pair in EXPECTED.chunks_exact(8) {
        let (x, host) = (f32_at(&pair[..4]), f32_at(&pair[4..]));
        let device = net.infer(&core::hint::black_box([x]))[0];
        worst = worst.max((device - host).abs());
        checked += 1;
    }
    let peak = stack::peak();
    print("sine_safetensors: ");
    print_u32(checked);
    print(" points, largest |device - host| = ");
    print_f32(worst);
    print(", peak stack ");
    print_u32(peak as u32);
    print(" bytes\n");
    exit(loaded && refused && checked == 64 && worst <= TOLERANCE)
}
