//! The same program as `microflow_sine` without a network (the output is the input): what the
//! table, the loop, the printing, the stack probe and the instruction counter cost on their
//! own. Subtracting it from an image gives what its network (code and parameters) adds.
#![no_std]
#![no_main]

use cortex_m_rt::entry;

#[inline(never)]
fn infer(x: f32) -> f32 {
    x
}

#[entry]
fn main() -> ! {
    microflow_sine::check("baseline", "x", f32::INFINITY, infer)
}
