//! The kernels compiled once, in this crate, for each float type and instruction set.
//!
//! Generic code is compiled in the crate that uses it, once per distinct set of type and const
//! parameters: a kernel generic over a layer's widths would be compiled again for every layer
//! shape of every user's model. These functions are not generic: their machine code is built
//! with this library, and a program only links to it, whatever its layers' widths.

use super::{ELEMENT_WORK, Strides, dispatch, gemm_broadcast, gemm_nt};
use crate::layers::{Activation, softmax_rows};

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
                dispatch!(x.len() * ELEMENT_WORK, |_level| act.values(x, y))
            }

            #[inline(never)]
            fn slopes(act: Activation, xy_dy: [&[$t]; 3], dx: &mut [$t]) {
                dispatch!(dx.len() * ELEMENT_WORK, |_level| act.slopes(xy_dy, dx))
            }

            #[inline(never)]
            fn softmax_rows(row: usize, x: &[$t], y: &mut [$t]) {
                dispatch!(x.len() * ELEMENT_WORK, |_level| softmax_rows(row, x, y))
            }
        }
    )*};
}

compiled_for!(f32, f64);
