//! The kernels compiled once, in this crate, for each float type and instruction set.
//!
//! Generic code is compiled in the crate that uses it, once per distinct set of type and const
//! parameters: a kernel generic over a layer's widths would be compiled again for every layer
//! shape of every user's model. These functions are not generic: their machine code is built
//! with this library, and a program only links to it, whatever its layers' widths.

use super::{ELEMENT_WORK, Strides, dispatch, gemm_broadcast, gemm_nt};
#[cfg(feature = "alloc")]
use super::{Layout, Start, blocked};
use crate::layers::{Activation, softmax_rows};
#[cfg(feature = "alloc")]
use crate::optim::adam_step::AdamStep;

/// Kernels with their sizes as values, compiled in this crate for `f32` and `f64`.
pub trait Compiled: Sized {
    /// `out[i][j] = bias[j] + <a[i], b[j]>` (see [`gemm_nt`]).
    fn nt(dims: (usize, usize, usize), a: &[Self], b: &[Self], bias: &[Self], out: &mut [Self]);
    /// `out[r][j] (+)= sum_p A(r, p) b[p][j]` (see [`gemm_broadcast`]).
    fn broadcast(
        dims: (usize, usize, usize),
        operands: (&[Self], &[Self]),
        strides: Strides,
        add: bool,
        out: &mut [Self],
    );
    /// `y = f(x)` elementwise.
    fn values(act: Activation, x: &[Self], y: &mut [Self]);
    /// `dx = dy f'(x)` elementwise, from `[x, y = f(x), dy]`.
    fn slopes(act: Activation, xy_dy: [&[Self]; 3], dx: &mut [Self]);
    /// The softmax of each row of `row` values.
    fn softmax_rows(row: usize, x: &[Self], y: &mut [Self]);
    /// `out[r][j] = start + sum_p A(r, p) B(p, j)` for `(m, n, k)` sizes, blocked for the
    /// caches with both operands packed: for products whose operands outgrow the caches. Rows
    /// of `out` are `out_row` apart. Needs scratch space, so it exists with an allocator.
    #[cfg(feature = "alloc")]
    fn blocked(
        dims: (usize, usize, usize),
        a: (&[Self], Layout),
        b: (&[Self], Layout),
        start: Start<'_, Self>,
        out: &mut [Self],
        out_row: usize,
    );
    /// `out = x W^T + bias` for `(batch, outputs, inputs)` sizes, computed weights first
    /// (`W x^T`, reading `W` where it is: see [`blocked`](Self::blocked)) into scratch space
    /// and copied transposed into `out`: for a small batch of deep enough samples
    /// ([`weights_first`](super::weights_first)), where packing the weights' transpose would
    /// copy the whole matrix for a few uses of each value.
    #[cfg(feature = "alloc")]
    fn blocked_weights_first(
        dims: (usize, usize, usize),
        x: &[Self],
        weight: &[Self],
        bias: &[Self],
        out: &mut [Self],
    );
    /// [`blocked`](Self::blocked), returning the largest magnitude among `out`'s values
    /// after it (NaN when one is not finite), read from each register tile as it is stored.
    #[cfg(feature = "alloc")]
    fn blocked_scanned(
        dims: (usize, usize, usize),
        a: (&[Self], Layout),
        b: (&[Self], Layout),
        start: Start<'_, Self>,
        out: &mut [Self],
        out_row: usize,
    ) -> Self;
    /// [`blocked`](Self::blocked) for a weight gradient `out`, each final register tile of
    /// which then takes one Adam step for its parameters and moments (`state`: parameters,
    /// first and second moments, laid out as `out`), in registers and the first-level cache.
    #[cfg(feature = "alloc")]
    #[allow(clippy::too_many_arguments)]
    fn blocked_adam(
        dims: (usize, usize, usize),
        a: (&[Self], Layout),
        b: (&[Self], Layout),
        start: Start<'_, Self>,
        out: &mut [Self],
        out_row: usize,
        state: [&mut [Self]; 3],
        step: AdamStep<Self>,
    );
}

macro_rules! compiled_for {
    ($($t:ty),*) => {$(
        impl Compiled for $t {
            #[inline(never)]
            fn nt(dims: (usize, usize, usize), a: &[$t], b: &[$t], bias: &[$t], out: &mut [$t]) {
                dispatch!(dims.0 * dims.1 * dims.2, |level| gemm_nt(level, dims, a, b, bias, out))
            }

            #[inline(never)]
            fn broadcast(
                dims: (usize, usize, usize),
                (a, b): (&[$t], &[$t]),
                strides: Strides,
                add: bool,
                out: &mut [$t],
            ) {
                dispatch!(dims.0 * dims.1 * dims.2, |level| {
                    gemm_broadcast(level, dims, a, b, strides, add, out)
                })
            }

            #[inline(never)]
            fn values(act: Activation, x: &[$t], y: &mut [$t]) {
                dispatch!(x.len() * ELEMENT_WORK, |level| act.values(level, x, y))
            }

            #[inline(never)]
            fn slopes(act: Activation, xy_dy: [&[$t]; 3], dx: &mut [$t]) {
                dispatch!(dx.len() * ELEMENT_WORK, |_level| act.slopes(xy_dy, dx))
            }

            #[inline(never)]
            fn softmax_rows(row: usize, x: &[$t], y: &mut [$t]) {
                dispatch!(x.len() * ELEMENT_WORK, |_level| softmax_rows(row, x, y))
            }

            #[cfg(feature = "alloc")]
            #[inline(never)]
            fn blocked(
                dims: (usize, usize, usize),
                a: (&[$t], Layout),
                b: (&[$t], Layout),
                start: Start<'_, $t>,
                out: &mut [$t],
                out_row: usize,
            ) {
                let s = blocked::operands(dims, a, b, start, out, out_row);
                // SAFETY: the operands were checked and their slices stay borrowed.
                unsafe { run_blocked(s) };
            }

            #[cfg(feature = "alloc")]
            #[inline(never)]
            fn blocked_weights_first(
                (batch, outputs, inputs): (usize, usize, usize),
                x: &[$t],
                weight: &[$t],
                bias: &[$t],
                out: &mut [$t],
            ) {
                let dims = (outputs, batch, inputs);
                <$t>::with_buffer(Buffer::Outputs, outputs * batch, |transposed| {
                    let w_at = Layout { row: inputs, col: 1 };
                    let x_t_at = Layout { row: 1, col: inputs };
                    let s = blocked::operands(
                        dims, (weight, w_at), (x, x_t_at), Start::Zero, transposed, batch,
                    );
                    // SAFETY: the operands were checked and their slices stay borrowed.
                    unsafe { run_blocked(s) };
                    let transposed = &*transposed;
                    dispatch!(outputs * batch, |level| {
                        blocked::transpose_with_bias(level, (batch, outputs), transposed, bias, out)
                    });
                })
            }

            #[cfg(feature = "alloc")]
            #[inline(never)]
            fn blocked_scanned(
                dims: (usize, usize, usize),
                a: (&[$t], Layout),
                b: (&[$t], Layout),
                start: Start<'_, $t>,
                out: &mut [$t],
                out_row: usize,
            ) -> $t {
                let s = blocked::operands(dims, a, b, start, out, out_row).scanned();
                // SAFETY: as above.
                <$t>::from_bits(unsafe { run_blocked(s) })
            }

            #[cfg(feature = "alloc")]
            #[inline(never)]
            fn blocked_adam(
                dims: (usize, usize, usize),
                a: (&[$t], Layout),
                b: (&[$t], Layout),
                start: Start<'_, $t>,
                out: &mut [$t],
                out_row: usize,
                state: [&mut [$t]; 3],
                step: AdamStep<$t>,
            ) {
                let s = blocked::operands(dims, a, b, start, out, out_row).updating(state, step);
                // SAFETY: as above; the update's arrays were checked too.
                unsafe { run_blocked(s) };
            }
        }
    )*};
}

compiled_for!(f32, f64);

/// The blocked product `s` on this thread's scratch space (without `std`, the program's),
/// split between two threads when large (with the feature `parallel`); the largest
/// magnitude's bits for scanned operands.
///
/// # Safety
/// `s` came from [`blocked::operands`] and its slices are still borrowed.
#[cfg(feature = "alloc")]
unsafe fn run_blocked<F: crate::Float + Scratch>(s: blocked::Operands<F>) -> F::Bits {
    let product = |s: blocked::Operands<F>| {
        with_scratch(s, |s, scratch: &mut [F]| {
            dispatch!(s.m * s.n * s.k, |level| {
                // SAFETY: the operands were checked and their slices stay borrowed until
                // this call returns; the scratch is lent to this call alone.
                unsafe { blocked::gemm_blocked(level, s, scratch) }
            })
        })
    };
    // SAFETY: the caller's promise.
    unsafe { blocked::run_split(s, &product) }
}

/// Runs `f` with scratch space for the product `s`: a buffer kept for reuse (a product that
/// needs one is large enough that a fresh allocation, with its page faults, would cost a
/// tenth of its time), each thread's under `std`, the program's without it where the target
/// has an atomic swap to lend it with; a fresh one otherwise, or while the kept one is in use.
#[cfg(feature = "alloc")]
fn with_scratch<F: Scratch, R>(
    s: blocked::Operands<F>,
    f: impl FnOnce(blocked::Operands<F>, &mut [F]) -> R,
) -> R {
    let len = blocked::scratch_for::<F>((s.m, s.n, s.k), s.fused.is_some());
    F::with_buffer(Buffer::Packs, len, |scratch| f(s, scratch))
}

/// Which of a thread's two scratch buffers.
#[cfg(feature = "alloc")]
#[derive(Clone, Copy)]
enum Buffer {
    /// The packed blocks of a product's operands.
    Packs,
    /// A product's outputs before they are copied transposed to their place (held while
    /// the product packs into [`Buffer::Packs`]).
    Outputs,
}

/// A float type with scratch buffers per thread (without `std`, for the program).
#[cfg(feature = "alloc")]
trait Scratch: Sized {
    /// Runs `f` with at least `len` values of the scratch buffer `which`.
    fn with_buffer<R>(which: Buffer, len: usize, f: impl FnOnce(&mut [Self]) -> R) -> R;
}

#[cfg(feature = "alloc")]
macro_rules! scratch_for {
    ($($t:ty),*) => {$(
        impl Scratch for $t {
            fn with_buffer<R>(which: Buffer, len: usize, f: impl FnOnce(&mut [$t]) -> R) -> R {
                #[cfg(feature = "std")]
                {
                    std::thread_local! {
                        static PACKS: core::cell::RefCell<alloc::vec::Vec<$t>> =
                            const { core::cell::RefCell::new(alloc::vec::Vec::new()) };
                        static OUTPUTS: core::cell::RefCell<alloc::vec::Vec<$t>> =
                            const { core::cell::RefCell::new(alloc::vec::Vec::new()) };
                    }
                    let buffer = match which {
                        Buffer::Packs => &PACKS,
                        Buffer::Outputs => &OUTPUTS,
                    };
                    buffer.with(|cell| match cell.try_borrow_mut() {
                        Ok(mut buffer) => {
                            if buffer.len() < len {
                                buffer.resize(len, 0.0);
                            }
                            f(&mut buffer[..len])
                        }
                        // Only when the thread's buffer is in use further up its stack.
                        Err(_) => f(&mut alloc::vec![0.0; len]),
                    })
                }
                // One buffer for the whole program, where the target can lend it atomically.
                #[cfg(all(not(feature = "std"), target_has_atomic = "8"))]
                {
                    static PACKS: super::shared::Shared<$t> = super::shared::Shared::new();
                    static OUTPUTS: super::shared::Shared<$t> = super::shared::Shared::new();
                    match which {
                        Buffer::Packs => PACKS.with(len, f),
                        Buffer::Outputs => OUTPUTS.with(len, f),
                    }
                }
                // A Cortex-M0 has no atomic swap: a buffer for each call.
                #[cfg(all(not(feature = "std"), not(target_has_atomic = "8")))]
                {
                    let _ = which;
                    f(&mut alloc::vec![0.0; len])
                }
            }
        }
    )*};
}

#[cfg(feature = "alloc")]
scratch_for!(f32, f64);

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::{Buffer, Scratch};

    /// A thread's scratch buffer (without `std`, the program's) is kept between products: the
    /// second asks for less and gets the same memory, with what the first left in it.
    #[test]
    fn scratch_space_is_allocated_once_and_kept() {
        let first = <f64 as Scratch>::with_buffer(Buffer::Packs, 64, |b| {
            b[10] = 7.0;
            b.as_ptr()
        });
        let again = <f64 as Scratch>::with_buffer(Buffer::Packs, 32, |b| (b.as_ptr(), b[10]));
        assert_eq!(again, (first, 7.0));
        // The other buffer is another allocation, usable while the first is lent.
        <f64 as Scratch>::with_buffer(Buffer::Packs, 8, |packs| {
            <f64 as Scratch>::with_buffer(Buffer::Outputs, 8, |outputs| {
                assert_ne!(packs.as_ptr(), outputs.as_ptr());
            })
        });
    }
}
