//! The same program as `microflow_sine` without a network (the output is the input): what the
//! table, the loop, the printing, the stack probe and the instruction counter cost on their
//! own. Subtracting it from an image gives what its network (code and parameters) adds.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use microflow_sine::{exit, print, print_f32, print_instructions, print_u32, reference, stack};

#[inline(never)]
fn infer(x: f32) -> f32 {
    x
}

#[entry]
fn main() -> ! {
    stack::paint();
    let mut worst = 0.0f32;
    let mut checked = 0u32;
    for (x, sin) in reference() {
        let y = infer(core::hint::black_box(x));
        worst = worst.max((y - sin).abs());
        checked += 1;
    }
    let peak = stack::peak();
    print("baseline: ");
    print_u32(checked);
    print(" points, largest |x - sin| = ");
    print_f32(worst);
    print(", peak stack ");
    print_u32(peak as u32);
    print(" bytes\n");
    print_instructions("baseline", infer);
    exit(checked == 64)
}
