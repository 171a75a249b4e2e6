//! What every measured firmware image carries, so that images of different libraries differ
//! only in their networks: output over semihosting without `core::fmt` (whose float formatting
//! alone is larger than a whole inference image), a stack-usage probe, an instruction counter,
//! and a panic handler that reports failure to the host. The board's memory layout comes with
//! it (build.rs).
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
    /// Bytes below the top of the stack that are painted at most: far more than any workload
    /// here needs, and small enough to paint in microseconds.
    const DEPTH: usize = 32 * 1024;

    unsafe extern "C" {
        /// The top of the stack, set by cortex-m-rt's linker script.
        static _stack_start: u32;
        /// The end of the statics, which the stack must not grow into.
        static _stack_end: u32;
    }

    fn stack_pointer() -> usize {
        cortex_m::register::msp::read() as usize
    }

    fn top() -> usize {
        // Only the addresses of the linker symbols are taken; they are never read.
        core::ptr::addr_of!(_stack_start) as usize
    }

    /// The lowest painted address: `DEPTH` below the top, or the end of the statics on a
    /// board with less RAM than that (16 KiB on the micro:bit).
    fn bottom() -> usize {
        (top() - DEPTH).max(core::ptr::addr_of!(_stack_end) as usize)
    }

    /// Paints from the bottom of the probed region up to just below the current frame.
    #[inline(never)]
    pub fn paint() {
        let end = stack_pointer() - 64;
        let mut p = bottom();
        while p < end {
            // SAFETY: [bottom, end) lies in RAM between the statics and every live stack
            // frame, so no value lives there.
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

/// Counts instructions with SysTick, clocked by the core clock. Under `qemu-system-arm -icount
/// shift=0` the virtual clock advances one nanosecond per guest instruction, so ticks are
/// instructions at a fixed ratio, which a loop of known length measures. Without `-icount` the
/// virtual clock is the host's and the counts only say how long the emulation took.
pub mod instructions {
    use core::sync::atomic::{Ordering, compiler_fence};
    use cortex_m::peripheral::SYST;
    use cortex_m::peripheral::syst::SystClkSource;

    /// SysTick counts down over 24 bits.
    const MASK: u32 = (1 << 24) - 1;
    /// Iterations of the calibrating loop: 400,000 instructions, 10,000 ticks at the 25 MHz
    /// of QEMU's mps2 boards.
    const SPIN: u32 = 200_000;

    /// Ticks of the core clock `work` takes, or `None` past 2^24 (0.67 s at 25 MHz), when the
    /// counter has wrapped.
    fn ticks(work: impl FnOnce()) -> Option<u32> {
        // SAFETY: nothing else in these programs uses SysTick, and its interrupt stays off.
        let mut syst = unsafe { cortex_m::Peripherals::steal() }.SYST;
        syst.disable_interrupt();
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(MASK);
        syst.clear_current();
        syst.enable_counter();
        compiler_fence(Ordering::SeqCst);
        let start = SYST::get_current();
        compiler_fence(Ordering::SeqCst);
        work();
        compiler_fence(Ordering::SeqCst);
        let end = SYST::get_current();
        // Cleared by `clear_current`, set when the counter reaches zero; the first reload
        // (from the cleared zero) does not set it.
        let wrapped = syst.has_wrapped();
        syst.disable_counter();
        (!wrapped).then_some(start.wrapping_sub(end) & MASK)
    }

    /// Exactly two instructions per iteration, in every build.
    fn spin(n: u32) {
        // SAFETY: counts a register down to zero; touches no memory and no stack.
        unsafe {
            core::arch::asm!("2:", "subs {0}, #1", "bne 2b", inout(reg) n => _, options(nomem, nostack))
        }
    }

    /// Instructions `work` takes. The fixed cost of the two counter reads is included; subtract
    /// an empty run of the same loop to leave it out.
    pub fn count(work: impl FnOnce()) -> Option<u32> {
        // The difference between 2 * SPIN and SPIN iterations leaves out the calls and reads.
        let per = ticks(|| spin(2 * SPIN))?
            .saturating_sub(ticks(|| spin(SPIN))?)
            .max(1);
        Some((ticks(work)? as u64 * (2 * SPIN) as u64 / per as u64) as u32)
    }
}

/// Times over the points that inference is counted: one tick of SysTick (40 instructions on
/// mps2) is then a small fraction of an instruction per inference.
const ROUNDS: u32 = 16;

/// Instructions per call of `infer` over `points`: the loop with the calls less the same loop
/// without them, so the call into the network's code is counted with it.
pub fn per_inference<P: Iterator<Item = f32>>(
    points: impl Fn() -> P,
    infer: impl Fn(f32) -> f32,
) -> Option<u32> {
    use core::hint::black_box;
    let with = instructions::count(|| {
        for _ in 0..ROUNDS {
            for x in points() {
                black_box(infer(black_box(x)));
            }
        }
    })?;
    let without = instructions::count(|| {
        for _ in 0..ROUNDS {
            for x in points() {
                black_box(black_box(x));
            }
        }
    })?;
    let calls = ROUNDS * points().count() as u32;
    Some((with.saturating_sub(without) + calls / 2) / calls.max(1))
}

/// Prints `NAME: N instructions per inference`, the line `footprint.sh` reads, or that the
/// count failed.
pub fn print_instructions(name: &str, count: Option<u32>) {
    print(name);
    match count {
        Some(n) => {
            print(": ");
            print_u32(n);
            print(" instructions per inference\n");
        }
        None => print(": instructions per inference not counted, SysTick wrapped\n"),
    }
}
