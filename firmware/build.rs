//! Links with cortex-m-rt's script (the board's memory layout comes from `firmware-harness`),
//! and writes the tables the sine programs check against: the host's points and outputs, the int8
//! network's outputs, and sin at those points, so that the device reports its own error.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rustc-link-arg-bins=-Tlink.x");

    // The check points as the host wrote them: pairs (x, host output), little-endian f32. Split
    // into a table per use, so that each program holds only those it reads; sin is computed in
    // f64 and rounded once.
    let expected = "weights/sine_expected.bin";
    let pairs = std::fs::read(expected).expect("weights/sine_expected.bin is readable");
    let (mut x, mut host, mut sin) = (Vec::new(), Vec::new(), Vec::new());
    for pair in pairs.chunks_exact(8) {
        x.extend(&pair[..4]);
        host.extend(&pair[4..]);
        let value = f32::from_le_bytes(pair[..4].try_into().expect("four bytes"));
        sin.extend(((value as f64).sin() as f32).to_le_bytes());
    }
    // The int8 network's outputs at the same points, one byte each; without them (the host has
    // not quantized the network) the program that runs it finds no points and fails, and the
    // others build.
    let int8 = "weights/sine_int8_expected.bin";
    let int8_outputs = std::fs::read(int8).unwrap_or_default();
    for (name, table) in [
        ("x", x),
        ("host", host),
        ("sin", sin),
        ("host_int8", int8_outputs),
    ] {
        std::fs::write(out.join(format!("sine_{name}.bin")), table).expect("OUT_DIR is writable");
    }
    println!("cargo:rerun-if-changed={expected}");
    println!("cargo:rerun-if-changed={int8}");
}
