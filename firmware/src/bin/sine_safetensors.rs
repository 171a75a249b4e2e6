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
use typed_nn_firmware::sine::{Sine, check};
use typed_nn_firmware::stack;

static FILE: &[u8] = include_bytes!("../../weights/sine.safetensors");

#[entry]
fn main() -> ! {
    stack::paint();
    let mut net = Sine::ZERO;
    let loaded = safetensors::load(core::hint::black_box(FILE), &mut net).is_ok();
    // The same file is not a 1-8-1 network: refused, the model untouched.
    let mut other = (Linear::<1, 8>::ZERO, Tanh, Linear::<8, 1>::ZERO);
    let refused = safetensors::load(FILE, &mut other).is_err() && other == Zero::ZERO;
    check("sine_safetensors", loaded && refused, |x| {
        net.infer(&[x])[0]
    })
}
