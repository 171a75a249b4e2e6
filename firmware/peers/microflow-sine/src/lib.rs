//! The check both programs run: the same 64 points and the same reporting as typed-nn's
//! `sine_infer`, with the measuring harness typed-nn's firmware carries (`firmware-harness`).
#![no_std]

use core::hint::black_box;

use firmware_harness::{exit, per_inference, print, print_f32, print_instructions, print_u32};

pub use firmware_harness::stack;

/// Pairs (x, sin x), little-endian f32, written by build.rs.
static REFERENCE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/sine_reference.bin"));

fn f32_at(bytes: &[u8]) -> f32 {
    f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// The 64 points (x, sin x) the programs check.
fn reference() -> impl Iterator<Item = (f32, f32)> {
    REFERENCE
        .chunks_exact(8)
        .map(|pair| (f32_at(&pair[..4]), f32_at(&pair[4..])))
}

/// Runs `infer` at the 64 points and prints `name`'s line: the largest `|output - sin x|`
/// (labelled `label`, which `footprint.sh` reads when it is `device`), the peak stack, then
/// the instructions per inference. Exits with success when all 64 points ran and the error is
/// at most `tolerance`.
pub fn check(name: &str, label: &str, tolerance: f32, infer: fn(f32) -> f32) -> ! {
    stack::paint();
    let (mut worst, mut checked) = (0.0f32, 0u32);
    for (x, sin) in reference() {
        let y = infer(black_box(x));
        worst = worst.max((y - sin).abs());
        checked += 1;
    }
    // Before counting, which runs more of the same at no greater depth.
    let peak = stack::peak();
    print(name);
    print(": ");
    print_u32(checked);
    print(" points, largest |");
    print(label);
    print(" - sin| = ");
    print_f32(worst);
    print(", peak stack ");
    print_u32(peak as u32);
    print(" bytes\n");
    print_instructions(name, per_inference(|| reference().map(|(x, _)| x), infer));
    exit(checked == 64 && worst <= tolerance)
}
