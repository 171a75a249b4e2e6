//! `out = bias + a b^T` with both operands contiguous along the summed dimension: the forward
//! product `Y = X W^T` of a `Linear` layer.

use super::{Level, both, dispatch};
use crate::float::Float;
use crate::simd::{Lanes, Scalar};
use crate::tensor::Zero;

/// `out[i * n + j] = bias[j] + <a[i*k..][..k], b[j*k..][..k]>` for `i < m`, `j < n`.
#[inline(always)]
pub(crate) fn gemm_nt<F: Float>(
    level: Level,
    (m, n, k): (usize, usize, usize),
    a: &[F],
    b: &[F],
    bias: &[F],
    out: &mut [F],
) {
    let fits = out.len() >= m * n;
    assert!(fits, "gemm_nt: output smaller than {m} x {n}");
    // SAFETY: the output holds m rows of n.
    unsafe { gemm_nt_into(level, (m, n, k), a, b, bias, out.as_mut_ptr(), n) }
}

/// [`gemm_nt`] with the output's columns shared out between two threads (the feature
/// `parallel`): each packs and multiplies its own half of `b`, so nothing is done twice.
pub(crate) fn gemm_nt_two_threads<F: Float>(
    (m, n, k): (usize, usize, usize),
    a: &[F],
    b: &[F],
    bias: &[F],
    out: &mut [F],
) {
    assert!(out.len() >= m * n, "gemm_nt: output smaller than {m} x {n}");
    // Whole packed blocks on each side.
    let half = (n / 2).next_multiple_of(PACK_WIDTH).min(n);
    let out = SharedOut(out.as_mut_ptr());
    let run = |cols: core::ops::Range<usize>| {
        let (start, width) = (cols.start, cols.len());
        let (b, bias) = (
            &b[(start * k).min(b.len())..],
            &bias[start.min(bias.len())..],
        );
        dispatch!(m * width * k, |level| {
            // SAFETY: the output holds m rows of n; this half writes columns `cols` only,
            // the other half the rest, so the two never touch the same value.
            unsafe { gemm_nt_into(level, (m, width, k), a, b, bias, out.at(start), n) }
        })
    };
    both(|| run(0..half), || run(half..n));
}

/// The output of [`gemm_nt_two_threads`], shared by its two threads, which write disjoint
/// columns.
#[derive(Clone, Copy)]
struct SharedOut<F>(*mut F);

// SAFETY: the two threads write disjoint elements, and `both` joins them before the
// borrow of the output ends.
unsafe impl<F: Send> Send for SharedOut<F> {}
// SAFETY: as above.
unsafe impl<F: Send> Sync for SharedOut<F> {}

impl<F> SharedOut<F> {
    /// The address of column `j` of the first row.
    ///
    /// # Safety
    /// `j` is within the output's first row.
    unsafe fn at(self, j: usize) -> *mut F {
        // SAFETY: see the function.
        unsafe { self.0.add(j) }
    }
}

/// `gemm_nt` into rows of `out_row` values starting at `out`.
///
/// # Safety
/// `out` is valid for writing rows `0..m`, columns `0..n`, with rows `out_row` apart.
#[inline(always)]
unsafe fn gemm_nt_into<F: Float>(
    level: Level,
    (m, n, k): (usize, usize, usize),
    a: &[F],
    b: &[F],
    bias: &[F],
    out: *mut F,
    out_row: usize,
) {
    let fits = a.len() >= m * k && b.len() >= n * k && bias.len() >= n;
    assert!(fits, "gemm_nt: operands smaller than {m} x {n} x {k}");
    let shape = NtShape {
        m,
        n,
        k,
        a: a.as_ptr(),
        b: b.as_ptr(),
        bias: bias.as_ptr(),
        out,
        out_row,
    };
    // Packing pays off once several rows of `a` share each packed block of `b`.
    let packed = m >= 4 && k >= 16;
    // SAFETY: the lengths were checked; the tiles address only rows < m, < n and columns < k.
    unsafe {
        match level {
            Level::Avx512 if packed && n >= 2 * <F::Wide as Lanes>::N => {
                nt_packed::<F::Wide, 4, 6>(shape)
            }
            Level::Avx512 => nt_tiles::<F::Wide, 4, 4, 8>(shape),
            Level::Avx2 if packed && n >= 2 * <F::Mid as Lanes>::N => {
                nt_packed::<F::Mid, 2, 6>(shape)
            }
            Level::Avx2 => nt_tiles::<F::Mid, 2, 4, 8>(shape),
            Level::Portable => nt_tiles::<Scalar<F>, 2, 4, 4>(shape),
        }
    }
}

/// Depth of a packed block of `b` in [`nt_packed`]: with 64 columns of `f32`, 32 KiB, which
/// stays in the first-level cache next to the rows of `a` it meets.
const PACK_DEPTH: usize = 128;
/// Widest packed block, in columns (four AVX-512 vectors of `f32`).
const PACK_WIDTH: usize = 64;

/// `gemm_nt` for large products: each block of `NV * N` rows of `b` (`PACK_DEPTH` deep) is
/// transposed once into a contiguous buffer, then every row of `a` meets it through
/// broadcast tiles of `MR` rows, as in [`gemm_broadcast`]: no lane sums, and `b` is read from
/// memory once instead of once per tile of `a`.
#[inline(always)]
unsafe fn nt_packed<V: Lanes, const NV: usize, const MR: usize>(s: NtShape<V::Elem>) {
    let width = NV * V::N;
    debug_assert!(width <= PACK_WIDTH);
    let mut pack = [V::Elem::ZERO; PACK_DEPTH * PACK_WIDTH];
    let mut j = 0;
    while j < s.n {
        let cols = width.min(s.n - j);
        let mut k0 = 0;
        while k0 < s.k {
            let depth = PACK_DEPTH.min(s.k - k0);
            for (p, row) in pack.chunks_exact_mut(width).take(depth).enumerate() {
                for (c, v) in row.iter_mut().enumerate() {
                    // SAFETY: j + c < n and k0 + p < k.
                    *v = if c < cols {
                        // SAFETY: column j + c < n (c < cols) and depth k0 + p < k: inside `b`.
                        unsafe { *s.b.add((j + c) * s.k + k0 + p) }
                    } else {
                        V::Elem::ZERO
                    };
                }
            }
            let block = PackedBlock {
                j,
                cols,
                k0,
                depth,
                first: k0 == 0,
                pack: pack.as_ptr(),
            };
            let mut i = 0;
            // SAFETY (both calls): rows i..i+MR (or i) are below m.
            while i + MR <= s.m {
                // SAFETY: rows i..i + MR are below m (the loop condition).
                unsafe { packed_tile::<V, NV, MR>(s, block, i) };
                i += MR;
            }
            while i < s.m {
                // SAFETY: row i is below m (the loop condition).
                unsafe { packed_tile::<V, NV, 1>(s, block, i) };
                i += 1;
            }
            k0 += depth;
        }
        j += width;
    }
}

/// One packed block of [`nt_packed`]: columns `j..j + cols` of the output, summed dimension
/// `k0..k0 + depth`; `first` when the block starts the sum (and so starts from the bias).
#[derive(Clone, Copy)]
struct PackedBlock<F> {
    j: usize,
    cols: usize,
    k0: usize,
    depth: usize,
    first: bool,
    pack: *const F,
}

/// `R` rows of the output against one packed block.
#[inline(always)]
unsafe fn packed_tile<V: Lanes, const NV: usize, const R: usize>(
    s: NtShape<V::Elem>,
    blk: PackedBlock<V::Elem>,
    i: usize,
) {
    let width = NV * V::N;
    let full = blk.cols == width;
    // Partial blocks at the right edge go through a buffer of the full width.
    let mut edge = [V::Elem::ZERO; PACK_WIDTH];
    // SAFETY: output row i + r < m (r < R) and column j < n: inside `out`.
    let out_row = |r: usize| unsafe { s.out.add((i + r) * s.out_row + blk.j) };
    let mut acc = [[V::zero(); NV]; R];
    for (r, row) in acc.iter_mut().enumerate() {
        // SAFETY: output row i + r < m, columns j..j + cols < n (bias likewise).
        let src = match (blk.first, full) {
            // SAFETY: the block's first column j < n, inside the bias.
            (true, true) => unsafe { s.bias.add(blk.j) },
            (false, true) => out_row(r),
            (first, false) => {
                for (c, e) in edge.iter_mut().enumerate().take(blk.cols) {
                    // SAFETY: column j + c < n (c < cols) of the bias or of output row i + r < m.
                    *e = unsafe {
                        if first {
                            *s.bias.add(blk.j + c)
                        } else {
                            *out_row(r).add(c)
                        }
                    };
                }
                edge.as_ptr()
            }
        };
        for (c, v) in row.iter_mut().enumerate() {
            // SAFETY: `src` holds the full width: a whole block of the bias or output, or `edge`.
            *v = unsafe { V::load(src.add(c * V::N)) };
        }
    }
    for p in 0..blk.depth {
        // SAFETY: the pack holds depth rows of width values; a's rows i + r < m, k0 + p < k.
        let vb: [V; NV] =
            core::array::from_fn(|c| unsafe { V::load(blk.pack.add(p * width + c * V::N)) });
        for (r, row) in acc.iter_mut().enumerate() {
            // SAFETY: row i + r < m of `a` (r < R), depth k0 + p < k.
            let va = V::splat(unsafe { *s.a.add((i + r) * s.k + blk.k0 + p) });
            for c in 0..NV {
                row[c] = V::mul_add(va, vb[c], row[c]);
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        if full {
            for (c, v) in row.iter().enumerate() {
                // SAFETY: the full block's columns are below n.
                unsafe { v.store(out_row(r).add(c * V::N)) };
            }
        } else {
            for (c, v) in row.iter().enumerate() {
                // SAFETY: the edge buffer holds the full width.
                unsafe { v.store(edge.as_mut_ptr().add(c * V::N)) };
            }
            for (c, e) in edge.iter().enumerate().take(blk.cols) {
                // SAFETY: only the block's columns below n are written.
                unsafe { *out_row(r).add(c) = *e };
            }
        }
    }
}

/// The operands of [`gemm_nt`], checked.
#[derive(Clone, Copy)]
struct NtShape<F> {
    m: usize,
    n: usize,
    k: usize,
    a: *const F,
    b: *const F,
    bias: *const F,
    out: *mut F,
    /// Distance between rows of `out`.
    out_row: usize,
}

/// Covers the output with `RA x RB` tiles, and `1 x R1` and `1 x 1` at the edges.
#[inline(always)]
unsafe fn nt_tiles<V: Lanes, const RA: usize, const RB: usize, const R1: usize>(
    s: NtShape<V::Elem>,
) {
    let mut i = 0;
    while i + RA <= s.m {
        let mut j = 0;
        while j + RB <= s.n {
            // SAFETY (here and below): rows i..i+RA < m and j..j+RB < n.
            // SAFETY: rows i..i + RA < m and j..j + RB < n (the loop conditions).
            unsafe { nt_tile::<V, RA, RB>(s, i, j) };
            j += RB;
        }
        while j < s.n {
            // SAFETY: rows i..i + RA < m and row j < n (the loop conditions).
            unsafe { nt_tile::<V, RA, 1>(s, i, j) };
            j += 1;
        }
        i += RA;
    }
    while i < s.m {
        let mut j = 0;
        while j + R1 <= s.n {
            // SAFETY: row i < m and rows j..j + R1 < n (the loop conditions).
            unsafe { nt_tile::<V, 1, R1>(s, i, j) };
            j += R1;
        }
        while j < s.n {
            // SAFETY: row i < m and row j < n (the loop conditions).
            unsafe { nt_tile::<V, 1, 1>(s, i, j) };
            j += 1;
        }
        i += 1;
    }
}

/// One `RA x RB` tile of dot products starting at row `i` of `a` and row `j` of `b`. Index
/// loops name the register tile's coordinates most plainly.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
unsafe fn nt_tile<V: Lanes, const RA: usize, const RB: usize>(
    s: NtShape<V::Elem>,
    i: usize,
    j: usize,
) {
    let k = s.k;
    // SAFETY: the caller guarantees rows i..i+RA of a and j..j+RB of b exist, each k long.
    let row_a = |r: usize, p: usize| unsafe { s.a.add((i + r) * k + p) };
    // SAFETY: rows j..j + RB of `b` exist (the caller), each k long; p < k.
    let row_b = |c: usize, p: usize| unsafe { s.b.add((j + c) * k + p) };
    let mut acc = [[V::zero(); RB]; RA];
    let body = k - k % V::N;
    let mut p = 0;
    while p < body {
        // SAFETY: p + N <= k.
        let va: [V; RA] = core::array::from_fn(|r| unsafe { V::load(row_a(r, p)) });
        // SAFETY: rows i..i + RA of `a` and j..j + RB of `b` exist, and p + N <= k.
        let vb: [V; RB] = core::array::from_fn(|c| unsafe { V::load(row_b(c, p)) });
        for r in 0..RA {
            for c in 0..RB {
                acc[r][c] = V::mul_add(va[r], vb[c], acc[r][c]);
            }
        }
        p += V::N;
    }
    if RA == 1 && RB == V::N && body == k {
        // One row of `N` outputs: their sums in one vector, with the bias added and stored
        // at once (a single sample's forward pass).
        // SAFETY: columns j..j + N < n of the bias and of row i of the output.
        unsafe {
            let sums = V::add(V::sums(&acc[0]), V::load(s.bias.add(j)));
            sums.store(s.out.add(i * s.out_row + j));
        }
        return;
    }
    for r in 0..RA {
        for c in 0..RB {
            let mut sum = acc[r][c].sum();
            for q in body..k {
                // SAFETY: q < k.
                sum += unsafe { *row_a(r, q) * *row_b(c, q) };
            }
            // SAFETY: i + r < m, j + c < n.
            unsafe { *s.out.add((i + r) * s.out_row + j + c) = *s.bias.add(j + c) + sum };
        }
    }
}
