//! The kernels compiled once, in this crate, for each float type and instruction set.
//!
//! Generic code is compiled in the crate that uses it, once per distinct set of type and const
//! parameters: a kernel generic over a layer's widths would be compiled again for every layer
//! shape of every user's model. These functions are not generic: their machine code is built
//! with this library, and a program only links to it, whatever its layers' widths.

use super::{ELEMENT_WORK, Strides, dispatch, gemm_broadcast, gemm_nt};
use crate::layers::{Activation, softmax_row};
use crate::math::flush_tiny;

/// The constants of one Adam update (see [`Adam`](crate::optim::Adam)).
#[derive(Clone, Copy)]
pub struct AdamStep<F> {
    /// Decay of the first moment.
    pub b1: F,
    /// Decay of the second moment.
    pub b2: F,
    /// Learning rate over the first moment's bias correction.
    pub step_size: F,
    /// One over the root of the second moment's bias correction.
    pub inv_root_c2: F,
    /// Added to the root of the second moment.
    pub eps: F,
    /// L2 penalty added to the gradient.
    pub weight_decay: F,
}

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
    /// One Adam update of `p` from the gradient `g` (cleared) and the moments `m`, `v`.
    fn adam(p: &mut [Self], gmv: [&mut [Self]; 3], c: AdamStep<Self>);
    /// `p -= lr g`, `g = 0`.
    fn sgd(p: &mut [Self], g: &mut [Self], lr: Self);
    /// `v = mu v + g`, `p -= lr v`, `g = 0`.
    fn momentum(p: &mut [Self], gv: [&mut [Self]; 2], lr: Self, mu: Self);
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
                dispatch!(x.len() * ELEMENT_WORK, |_level| {
                    for (x, y) in x.chunks_exact(row).zip(y.chunks_exact_mut(row)) {
                        softmax_row(x, y);
                    }
                })
            }

            #[inline(never)]
            fn adam(p: &mut [$t], [g, m, v]: [&mut [$t]; 3], c: AdamStep<$t>) {
                let one: $t = 1.0;
                dispatch!(8 * p.len(), |_level| {
                    let slices = p.iter_mut().zip(g.iter_mut()).zip(m.iter_mut()).zip(v.iter_mut());
                    for (((p, g), m), v) in slices {
                        let g = core::mem::replace(g, 0.0) + c.weight_decay * *p;
                        *m = flush_tiny(c.b1 * *m + (one - c.b1) * g);
                        *v = flush_tiny(c.b2 * *v + (one - c.b2) * g * g);
                        // m over its denominator first: the quotient of a tiny moment stays
                        // normal.
                        let root = crate::float::Float::sqrt_fast(*v);
                        *p -= c.step_size * (*m / (root * c.inv_root_c2 + c.eps));
                    }
                })
            }

            #[inline(never)]
            fn sgd(p: &mut [$t], g: &mut [$t], lr: $t) {
                dispatch!(2 * p.len(), |_level| {
                    for (p, g) in p.iter_mut().zip(g.iter_mut()) {
                        *p -= lr * *g;
                        *g = 0.0;
                    }
                })
            }

            #[inline(never)]
            fn momentum(p: &mut [$t], [g, v]: [&mut [$t]; 2], lr: $t, mu: $t) {
                dispatch!(3 * p.len(), |_level| {
                    for ((p, g), v) in p.iter_mut().zip(g.iter_mut()).zip(v.iter_mut()) {
                        *v = flush_tiny(mu * *v + *g);
                        *p -= lr * *v;
                        *g = 0.0;
                    }
                })
            }
        }
    )*};
}

compiled_for!(f32, f64);
