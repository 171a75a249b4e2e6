//! What the firmware programs share: the measuring harness they carry like every compared
//! image (`firmware-harness`), and the sine network's checks.
#![no_std]

pub use firmware_harness::{exit, instructions, print, print_f32, print_u32, stack};

/// The sine network the host trains (`cargo run --release --example sine`) and the outputs the
/// device must reproduce, shared by the programs that load it in different ways.
pub mod sine {
    use core::hint::black_box;
    use typed_nn::{Linear, Tanh};

    use firmware_harness::{per_inference, print_instructions};

    use super::{exit, print, print_f32, print_u32, stack};

    /// 1-16-16-1 with tanh, approximating sin on [0, 2 pi].
    pub type Sine = (Linear<1, 16>, Tanh, Linear<16, 16>, Tanh, Linear<16, 1>);

    // The 64 points the host checked, its outputs there, and sin there: little-endian f32,
    // from `weights/sine_expected.bin` by build.rs.
    static X: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/sine_x.bin"));
    static HOST: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/sine_host.bin"));
    static SIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/sine_sin.bin"));
    /// The int8 network's outputs at the same points, one byte each; empty when the host has
    /// not written `weights/sine_int8_expected.bin`.
    static INT8: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/sine_host_int8.bin"));

    /// Host and device run the same `tanh` approximation (the crate's own for `f32`), but the
    /// host fuses its multiply-adds where the CPU has FMA and sums the products in its
    /// kernels' order: allow a few ulps.
    const TOLERANCE: f32 = 1e-5;

    /// The values of a table of little-endian f32.
    fn values(table: &'static [u8]) -> impl Iterator<Item = f32> {
        table
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Runs `infer` at the 64 host points, prints `name`'s results (see [`report`]), and exits
    /// with success when every output is within [`TOLERANCE`] of the host's and `ok` (the
    /// program's own checks) holds.
    pub fn check(name: &str, ok: bool, infer: impl Fn(f32) -> f32) -> ! {
        compare(name, ok, values(HOST), TOLERANCE, infer)
    }

    /// [`check`] for the int8 network, `infer` taking it from `f32` to `f32`: integer
    /// arithmetic between its quantized input and output, so the device must reproduce the
    /// host's int8 outputs exactly, which `dequantize` (one-to-one) turns into the `f32`
    /// outputs compared.
    pub fn check_int8(name: &str, dequantize: impl Fn(i8) -> f32, infer: impl Fn(f32) -> f32) -> ! {
        let host = INT8.iter().map(|&q| dequantize(q as i8));
        compare(name, true, host, 0.0, infer)
    }

    /// Compares `infer` with `host` at the 64 points, reports, and exits with success when
    /// every output is within `tolerance` and `ok` holds. Inlined into each check, where the
    /// tables and the tolerance are constants: a separate copy costs `sine_infer` 200 bytes.
    #[inline(always)]
    fn compare(
        name: &str,
        ok: bool,
        host: impl Iterator<Item = f32>,
        tolerance: f32,
        infer: impl Fn(f32) -> f32,
    ) -> ! {
        let (mut worst, mut worst_sin, mut checked) = (0.0f32, 0.0f32, 0u32);
        for ((x, host), sin) in values(X).zip(host).zip(values(SIN)) {
            let y = once(&infer, black_box(x));
            worst = worst.max((y - host).abs());
            worst_sin = worst_sin.max((y - sin).abs());
            checked += 1;
        }
        report(name, checked, worst, worst_sin, |x| once(&infer, x));
        exit(ok && checked == 64 && worst <= tolerance)
    }

    /// Calls `infer`: the checks and the count share this one copy of the network's code, which
    /// inlined into both would be in flash twice.
    #[inline(never)]
    fn once<X, Y>(infer: &impl Fn(X) -> Y, x: X) -> Y {
        infer(x)
    }

    /// Prints `name`'s line with the points checked, the largest differences from the host's
    /// outputs and from sin and the peak stack, then a line with the instructions per inference.
    fn report(name: &str, checked: u32, worst: f32, worst_sin: f32, infer: impl Fn(f32) -> f32) {
        // Before counting, which runs more of the same at no greater depth.
        let peak = stack::peak();
        print(name);
        print(": ");
        print_u32(checked);
        print(" points, largest |device - host| = ");
        print_f32(worst);
        print(", largest |device - sin| = ");
        print_f32(worst_sin);
        print(", peak stack ");
        print_u32(peak as u32);
        print(" bytes\n");
        print_instructions(name, per_inference(|| values(X), infer));
    }
}
