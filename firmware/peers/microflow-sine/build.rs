//! Links with cortex-m-rt's script (the board's memory layout comes from `firmware-harness`, as
//! for typed-nn's firmware), and writes the reference table the firmware checks against: 64 pairs (x, sin x) as little-endian f32,
//! at the same x as typed-nn's `sine_expected.bin` (x_i = 2 pi (i + 1/2) / 64, computed in f32
//! the same way).

use std::f32::consts::TAU;
use std::path::PathBuf;

const CHECKS: usize = 64;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
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
