//! Hands cortex-m-rt's linker script the memory map of the board the target runs on, and writes
//! the reference table the firmware checks against: 64 pairs (x, sin x) as little-endian f32,
//! at the same x as typed-nn's `sine_expected.bin` (x_i = 2 pi (i + 1/2) / 64, computed in f32
//! the same way).

use std::f32::consts::TAU;
use std::path::PathBuf;

const CHECKS: usize = 64;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    // As in typed-nn's firmware: Cortex-M0 images run on QEMU's micro:bit, the others on its
    // mps2 boards, and no file named `memory.x` may lie in the crate's directory, where the
    // linker looks first.
    let layout = if target.starts_with("thumbv6m") {
        "memory-microbit.x"
    } else {
        "memory-mps2.x"
    };
    std::fs::copy(layout, out.join("memory.x")).expect("the memory layout is readable");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rerun-if-changed={layout}");
    // The model is read by microflow's proc-macro, which does not tell cargo about it.
    println!("cargo:rerun-if-changed=models/sine.tflite");

    let mut table = Vec::with_capacity(CHECKS * 8);
    for i in 0..CHECKS {
        let x = TAU * (i as f32 + 0.5) / CHECKS as f32;
        table.extend(x.to_le_bytes());
        table.extend(((x as f64).sin() as f32).to_le_bytes());
    }
    std::fs::write(out.join("sine_reference.bin"), table).expect("OUT_DIR is writable");
}
