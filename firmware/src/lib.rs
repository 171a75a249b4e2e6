//! What the firmware images share: output over semihosting without `core::fmt` (whose
//! float formatting alone is larger than a whole inference image), a stack-usage probe, and a
//! panic handler that reports failure to the host.
#![no_std]

use core::panic::PanicInfo;
use cortex_m_semihosting::{debug, hio};

/// Writes text to the host's standard output.
pub fn print(text: &str) {
    if let Ok(mut out) = hio::hstdout() {
        // Nothing useful can be done if the host stops listening.
        let _ = out.write_all(text.as_bytes());
    }
}

/// Writes a non-negative integer in decimal.
pub fn print_u32(mut n: u32) {
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    print(core::str::from_utf8(&digits[start..]).unwrap_or("?"));
}

/// Writes a number with six decimals, e.g. `-0.012345`, enough for the checks printed here.
pub fn print_f32(v: f32) {
    if v.is_nan() {
        return print("NaN");
    }
    if v < 0.0 {
        print("-");
    }
    let micro = (v.abs() * 1e6 + 0.5) as u64;
    print_u32((micro / 1_000_000).min(u32::MAX as u64) as u32);
    print(".");
    let frac = (micro % 1_000_000) as u32;
    let mut scale = 100_000;
    while scale > 1 && frac < scale {
        print("0");
        scale /= 10;
    }
    print_u32(frac);
}

/// Ends the program: exit status 0 for success, 1 for failure, as QEMU reports it.
pub fn exit(success: bool) -> ! {
    debug::exit(if success {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Only reached when no debugger is attached.
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    print("panic\n");
    exit(false)
}

/// Measures the deepest the stack has reached: `paint` fills the unused stack with a pattern,
/// `peak` finds the lowest word that was overwritten since.
pub mod stack {
    const PATTERN: u32 = 0x5EED_F00D;
    /// Bytes below the current stack pointer that are painted: far more than any workload
    /// here needs, and small enough to paint in microseconds.
    const DEPTH: usize = 32 * 1024;

    unsafe extern "C" {
        /// The top of the stack, set by cortex-m-rt's linker script.
        static _stack_start: u32;
    }

    fn stack_pointer() -> usize {
        cortex_m::register::msp::read() as usize
    }

    fn top() -> usize {
        // Only the address of the linker symbol is taken; it is never read.
        core::ptr::addr_of!(_stack_start) as usize
    }

    /// The lowest painted address.
    fn bottom() -> usize {
        top() - DEPTH
    }

    /// Paints from the bottom of the probed region up to just below the current frame.
    #[inline(never)]
    pub fn paint() {
        let end = stack_pointer() - 64;
        let mut p = bottom();
        while p < end {
            // SAFETY: [bottom, end) lies in RAM below every live stack frame: no value lives
            // there, and the memory map gives 4 MiB of RAM below `_stack_start`.
            unsafe { core::ptr::write_volatile(p as *mut u32, PATTERN) };
            p += 4;
        }
    }

    /// Bytes of stack used at the deepest point since [`paint`].
    pub fn peak() -> usize {
        let mut p = bottom();
        // SAFETY: reads painted words of the same region as `paint`.
        while p < top() && unsafe { core::ptr::read_volatile(p as *const u32) } == PATTERN {
            p += 4;
        }
        top() - p
    }
}

/// The sine network the host trains (`cargo run --release --example sine`) and the outputs the
/// device must reproduce, shared by the programs that load it in different ways.
pub mod sine {
    use typed_nn::{Linear, Tanh};

    use super::{exit, print, print_f32, print_u32, stack};

    /// 1-16-16-1 with tanh, approximating sin on [0, 2 pi].
    pub type Sine = (Linear<1, 16>, Tanh, Linear<16, 16>, Tanh, Linear<16, 1>);

    /// Pairs (x, host output), little-endian f32.
    static EXPECTED: &[u8] = include_bytes!("../weights/sine_expected.bin");

    /// Host and device compute tanh with different libm implementations: allow a few ulps.
    const TOLERANCE: f32 = 1e-5;

    fn f32_at(bytes: &[u8]) -> f32 {
        f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    }

    /// Runs `infer` at the 64 host points, prints `name`'s result line with the peak stack,
    /// and exits with success when every output is within [`TOLERANCE`] of the host's and
    /// `ok` (the program's own checks) holds.
    pub fn check(name: &str, ok: bool, infer: impl Fn(f32) -> f32) -> ! {
        let mut worst = 0.0f32;
        let mut checked = 0u32;
        for pair in EXPECTED.chunks_exact(8) {
            let (x, host) = (f32_at(&pair[..4]), f32_at(&pair[4..]));
            worst = worst.max((infer(core::hint::black_box(x)) - host).abs());
            checked += 1;
        }
        let peak = stack::peak();
        print(name);
        print(": ");
        print_u32(checked);
        print(" points, largest |device - host| = ");
        print_f32(worst);
        print(", peak stack ");
        print_u32(peak as u32);
        print(" bytes\n");
        exit(ok && checked == 64 && worst <= TOLERANCE)
    }
}
