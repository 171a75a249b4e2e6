//! A scratch buffer kept for the whole program, for builds with an allocator and without
//! `std`, which has the thread-local buffers: so that a large product allocates its scratch
//! space once, as with `std`, instead of on every call (where a device with little heap
//! left would fail, and reset, in the middle of its work).

use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::tensor::Zero;

/// One buffer, lent to one product at a time: a product that finds it lent (to an interrupt
/// handler's product, or another core's) allocates its own instead of waiting.
pub(super) struct Shared<T> {
    lent: AtomicBool,
    buffer: UnsafeCell<Vec<T>>,
}

// SAFETY: the buffer is only reached by the one caller that set `lent` (see `with`).
unsafe impl<T: Send> Sync for Shared<T> {}

impl<T: Copy + Zero> Shared<T> {
    /// An empty buffer, which grows to the largest length asked for.
    pub(super) const fn new() -> Self {
        Self {
            lent: AtomicBool::new(false),
            buffer: UnsafeCell::new(Vec::new()),
        }
    }

    /// Runs `f` with `len` values of the buffer (their contents left from earlier calls), or
    /// of a fresh one while the buffer is lent.
    pub(super) fn with<R>(&self, len: usize, f: impl FnOnce(&mut [T]) -> R) -> R {
        if self.lent.swap(true, Ordering::Acquire) {
            return f(&mut alloc::vec![T::ZERO; len]);
        }
        // SAFETY: the swap above set `lent`, which gives this call the only access to the
        // buffer until it clears it. Should `f` panic, `lent` stays set and every later call
        // allocates its own: the buffer is never reached twice.
        let buffer = unsafe { &mut *self.buffer.get() };
        if buffer.len() < len {
            buffer.resize(len, T::ZERO);
        }
        let result = f(&mut buffer[..len]);
        self.lent.store(false, Ordering::Release);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::Shared;

    #[test]
    fn the_buffer_is_kept_between_calls_and_lent_once_at_a_time() {
        static BUFFER: Shared<f32> = Shared::new();
        let first = BUFFER.with(8, |b| {
            b.fill(1.0);
            b.as_ptr()
        });
        // The same memory again, with what the last call left in it.
        let (again, kept) = BUFFER.with(4, |b| (b.as_ptr(), b[3]));
        assert_eq!((again, kept), (first, 1.0));
        // Asked for while lent: another buffer, of the length asked for.
        let inner = BUFFER.with(8, |outer| {
            let inner = BUFFER.with(16, |b| (b.as_ptr(), b.len()));
            assert_eq!(outer.as_ptr(), first);
            inner
        });
        assert!(inner.0 != first && inner.1 == 16);
        // A longer request grows the kept buffer.
        assert_eq!(BUFFER.with(1000, |b| b.len()), 1000);
    }
}
