//! `out (+)= A b` with `A` broadcast one value at a time and `b` contiguous along the output:
//! the backward products `dW += dY^T X` and `dX = dY W` of a `Linear` layer.

use super::{Level, tile_rows};
use crate::float::Float;
use crate::simd::{Lanes, Scalar};

/// Operand layouts of [`gemm_broadcast`]: `A(r, p) = a[r * a_row + p * a_step]`, row `p` of
/// `b` starts at `p * b_row`, row `r` of `out` at `r * out_row`.
#[derive(Clone, Copy)]
pub struct Strides {
    /// Step between rows `r` of `A`.
    pub a_row: usize,
    /// Step between summed indices `p` of `A`.
    pub a_step: usize,
    /// Step between rows of `b`.
    pub b_row: usize,
    /// Step between rows of `out`.
    pub out_row: usize,
}

/// The operands of [`gemm_broadcast`], checked.
#[derive(Clone, Copy)]
struct BcShape<F> {
    m: usize,
    n: usize,
    k: usize,
    a: *const F,
    b: *const F,
    out: *mut F,
    s: Strides,
    accumulate: bool,
}

/// `out[r][j] = sum_p A(r, p) * b[p][j]` for `r < m`, `j < n`, `p < k`; added to `out` when
/// `accumulate`, written over it otherwise.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn gemm_broadcast<F: Float>(
    level: Level,
    (m, n, k): (usize, usize, usize),
    a: &[F],
    b: &[F],
    s: Strides,
    accumulate: bool,
    out: &mut [F],
) {
    // The largest index each operand is read or written at, plus one.
    let end = |rows: usize, row: usize, cols: usize, col: usize| match (rows, cols) {
        (0, _) | (_, 0) => 0,
        _ => (rows - 1) * row + (cols - 1) * col + 1,
    };
    let fits = a.len() >= end(m, s.a_row, k, s.a_step)
        && b.len() >= end(k, s.b_row, n, 1)
        && out.len() >= end(m, s.out_row, n, 1);
    assert!(
        fits,
        "gemm_broadcast: operands smaller than {m} x {n} x {k}"
    );
    let shape = BcShape {
        m,
        n,
        k,
        a: a.as_ptr(),
        b: b.as_ptr(),
        out: out.as_mut_ptr(),
        s,
        accumulate,
    };
    // SAFETY: the extents were checked; tiles address only r < m, j < n, p < k.
    unsafe {
        match level {
            Level::Avx512 => bc_tiles::<F::Wide, 2, 8>(shape),
            Level::Avx2 => bc_tiles::<F::Mid, 2, 6>(shape),
            Level::Portable => bc_tiles::<Scalar<F>, 4, 2>(shape),
        }
    }
}

/// Covers the output column block by column block (`NV * N` wide, then one vector, then one
/// column at the right edge), each from the top in `RA`-row tiles: a block of `b` stays in the
/// first-level cache while every row of `A` passes over it.
#[inline(always)]
unsafe fn bc_tiles<V: Lanes, const NV: usize, const RA: usize>(s: BcShape<V::Elem>) {
    let mut j = 0;
    // SAFETY (all calls): columns j..j + width are below n.
    while j + NV * V::N <= s.n {
        // SAFETY: columns j..j + NV * N are below n (the loop condition).
        unsafe { bc_column::<V, NV, RA>(s, j) };
        j += NV * V::N;
    }
    while j + V::N <= s.n {
        // SAFETY: columns j..j + N are below n (the loop condition).
        unsafe { bc_column::<V, 1, RA>(s, j) };
        j += V::N;
    }
    while j < s.n {
        // SAFETY: column j is below n (the loop condition).
        unsafe { bc_column::<Scalar<V::Elem>, 1, RA>(s, j) };
        j += 1;
    }
}

#[inline(always)]
unsafe fn bc_column<V: Lanes, const NV: usize, const RA: usize>(s: BcShape<V::Elem>, j: usize) {
    let mut r = 0;
    // SAFETY (all calls): rows r..r + rows are below m.
    while r + RA <= s.m {
        // SAFETY: rows r..r + RA are below m (the loop condition).
        unsafe { bc_tile::<V, NV, RA>(s, r, j, RA) };
        r += RA;
    }
    match s.m - r {
        0 => {}
        // SAFETY: row r is the last.
        1 => unsafe { bc_tile::<V, NV, 1>(s, r, j, 1) },
        // The last rows in one tile of the full height, which repeats the last row in the
        // rows below it and stores only the real ones: one row at a time, each sum waits for
        // the one before (a batch of 64 in tiles of 6 leaves 4 such rows, 10 classes leave 4).
        // SAFETY: rows r..m are below m.
        rows => unsafe { bc_tile::<V, NV, RA>(s, r, j, rows) },
    }
}

/// One `RA x (NV * N)` tile: for each `p`, a row segment of `b` times `RA` broadcast values;
/// of its rows, the first `rows` are stored (rows below them sum row `rows - 1` again).
///
/// # Safety
/// `1 <= rows <= RA`, rows `r..r + rows` are below `m` and columns `j..j + NV * N` below `n`.
#[inline(always)]
unsafe fn bc_tile<V: Lanes, const NV: usize, const RA: usize>(
    s: BcShape<V::Elem>,
    r: usize,
    j: usize,
    rows: usize,
) {
    let st = s.s;
    let a_rows = tile_rows::<_, RA>(s.a, r, rows, st.a_row);
    let mut acc = [[V::zero(); NV]; RA];
    for p in 0..s.k {
        // SAFETY: p < k and the columns j..j + NV * N are below n.
        let b_row = unsafe { s.b.add(p * st.b_row + j) };
        // SAFETY: row p < k of b, and its columns j + c * N..+N are below n.
        let vb: [V; NV] = core::array::from_fn(|c| unsafe { V::load(b_row.add(c * V::N)) });
        for (q, row) in acc.iter_mut().enumerate() {
            // SAFETY: each row pointer is a row below m, and p < k.
            let va = V::splat(unsafe { *a_rows[q].add(p * st.a_step) });
            for c in 0..NV {
                row[c] = V::mul_add(va, vb[c], row[c]);
            }
        }
    }
    for (q, row) in acc.iter().enumerate().take(rows) {
        for (c, &v) in row.iter().enumerate() {
            // SAFETY: r + q < m and the columns are below n.
            unsafe {
                let dst = s.out.add((r + q) * st.out_row + j + c * V::N);
                let v = if s.accumulate {
                    V::add(V::load(dst), v)
                } else {
                    v
                };
                v.store(dst);
            }
        }
    }
}
