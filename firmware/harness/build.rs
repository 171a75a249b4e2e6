//! Puts the memory layout of the board the target runs on where cortex-m-rt's linker script
//! finds it (`memory.x`, in a search path that cargo hands to every crate linking this one):
//! Cortex-M0 images run on QEMU's micro:bit, the others on its mps2 boards. The linker looks
//! in a program crate's own directory first, so no file named `memory.x` may lie there.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    let layout = if target.starts_with("thumbv6m") {
        "memory-microbit.x"
    } else {
        "memory-mps2.x"
    };
    std::fs::copy(layout, out.join("memory.x")).expect("the memory layout is readable");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed={layout}");
}
