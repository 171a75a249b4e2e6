//! What both firmware images share: output over semihosting without `core::fmt` (whose
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
