//! The inner loops every layer is built from, and the run-time choice of instruction set.
//!
//! Two matrix-product shapes cover every `Linear` pass on the layouts the crate uses:
//! - [`gemm_nt`]: `out[i][j] = bias[j] + <a[i], b[j]>`, both operands contiguous along the
//!   summed dimension (forward: `Y = X W^T`). A tile of rows of both operands keeps one
//!   vector accumulator per pair in registers; lanes are summed once per tile.
//! - [`gemm_broadcast`]: `out[r][j] (+)= sum_p A(r, p) b[p][j]`, one operand broadcast, the
//!   other contiguous along the output (backward: `dW += dY^T X` and `dX = dY W`). No lane
//!   sums at all.
//!
//! A float sum in one accumulator cannot be reordered, so it runs one add at a time; the tiles
//! keep many independent partial sums instead. The vector width comes from [`Level`], chosen
//! at run time by [`dispatch!`]; sizes are compile-time constants at every call.

use crate::float::Float;
use crate::simd::{Lanes, Scalar};
use crate::tensor::Zero;

/// The instruction set a kernel is compiled for. Only `Portable` exists at run time without
/// `std` or off x86-64; the kernels keep the other arms for the builds that have them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(all(feature = "std", target_arch = "x86_64")), allow(dead_code))]
pub(crate) enum Level {
    /// Whatever the target guarantees (SSE2 on x86-64, scalar on a Cortex-M).
    Portable,
    /// AVX2 with FMA: 8 `f32` lanes.
    Avx2,
    /// AVX-512: 16 `f32` lanes.
    Avx512,
}

/// Work (in multiply-adds, or element operations) below which a call into code compiled for
/// wider vectors costs more than the vectors save.
#[cfg_attr(not(all(feature = "std", target_arch = "x86_64")), allow(dead_code))]
pub(crate) const DISPATCH_MIN_WORK: usize = 256;

/// The work of one element of an elementwise pass (an `exp`, a division), in multiply-adds.
pub(crate) const ELEMENT_WORK: usize = 8;

/// Runs a kernel compiled for the best instruction set of this CPU (detected at run time under
/// `std` on x86-64; the portable build elsewhere): `dispatch!(work, |level| body)`. `work` is
/// the number of multiply-adds (or element operations) involved; small jobs run portable
/// code inline. The kernel closure is forced inline into each instruction-set wrapper, which
/// is what compiles its body for that instruction set.
macro_rules! dispatch {
    ($work:expr, |$level:ident| $body:expr $(,)?) => {
        $crate::kernels::run_dispatched(
            $work,
            #[inline(always)]
            |$level| $body,
        )
    };
}
pub(crate) use dispatch;

/// See [`dispatch!`]; call through the macro.
#[inline(always)]
pub(crate) fn run_dispatched<R>(work: usize, kernel: impl FnOnce(Level) -> R) -> R {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if work >= DISPATCH_MIN_WORK {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports every feature `avx512` is compiled with.
            return unsafe { x86::avx512(kernel) };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: as above, for `avx2`.
            return unsafe { x86::avx2(kernel) };
        }
    }
    let _ = work;
    kernel(Level::Portable)
}

#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod x86 {
    use super::Level;

    /// The kernel, inlined here, is compiled with AVX-512 enabled.
    #[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
    pub(super) unsafe fn avx512<R>(kernel: impl FnOnce(Level) -> R) -> R {
        kernel(Level::Avx512)
    }

    /// The kernel, inlined here, is compiled with AVX2 and FMA enabled.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn avx2<R>(kernel: impl FnOnce(Level) -> R) -> R {
        kernel(Level::Avx2)
    }
}

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
    let fits = a.len() >= m * k && b.len() >= n * k && bias.len() >= n && out.len() >= m * n;
    assert!(fits, "gemm_nt: operands smaller than {m} x {n} x {k}");
    let shape = NtShape {
        m,
        n,
        k,
        a: a.as_ptr(),
        b: b.as_ptr(),
        bias: bias.as_ptr(),
        out: out.as_mut_ptr(),
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
            Level::Avx2 => nt_tiles::<F::Mid, 2, 4, 4>(shape),
            Level::Portable => nt_tiles::<Scalar<F>, 2, 4, 4>(shape),
        }
    }
}

/// Depth of a packed block of `b` in [`nt_packed`]: with 32 columns of `f32`, 16 KiB, which
/// stays in the first-level cache next to the rows of `a` it meets.
const PACK_DEPTH: usize = 128;
/// Widest packed block, in columns (two AVX-512 vectors of `f32`).
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
                unsafe { packed_tile::<V, NV, MR>(s, block, i) };
                i += MR;
            }
            while i < s.m {
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
    let out_row = |r: usize| unsafe { s.out.add((i + r) * s.n + blk.j) };
    let mut acc = [[V::zero(); NV]; R];
    for (r, row) in acc.iter_mut().enumerate() {
        // SAFETY: output row i + r < m, columns j..j + cols < n (bias likewise).
        let src = match (blk.first, full) {
            (true, true) => unsafe { s.bias.add(blk.j) },
            (false, true) => out_row(r),
            (first, false) => {
                for (c, e) in edge.iter_mut().enumerate().take(blk.cols) {
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
            *v = unsafe { V::load(src.add(c * V::N)) };
        }
    }
    for p in 0..blk.depth {
        // SAFETY: the pack holds depth rows of width values; a's rows i + r < m, k0 + p < k.
        let vb: [V; NV] =
            core::array::from_fn(|c| unsafe { V::load(blk.pack.add(p * width + c * V::N)) });
        for (r, row) in acc.iter_mut().enumerate() {
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
            unsafe { nt_tile::<V, RA, RB>(s, i, j) };
            j += RB;
        }
        while j < s.n {
            unsafe { nt_tile::<V, RA, 1>(s, i, j) };
            j += 1;
        }
        i += RA;
    }
    while i < s.m {
        let mut j = 0;
        while j + R1 <= s.n {
            unsafe { nt_tile::<V, 1, R1>(s, i, j) };
            j += R1;
        }
        while j < s.n {
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
    let row_b = |c: usize, p: usize| unsafe { s.b.add((j + c) * k + p) };
    let mut acc = [[V::zero(); RB]; RA];
    let body = k - k % V::N;
    let mut p = 0;
    while p < body {
        // SAFETY: p + N <= k.
        let va: [V; RA] = core::array::from_fn(|r| unsafe { V::load(row_a(r, p)) });
        let vb: [V; RB] = core::array::from_fn(|c| unsafe { V::load(row_b(c, p)) });
        for r in 0..RA {
            for c in 0..RB {
                acc[r][c] = V::mul_add(va[r], vb[c], acc[r][c]);
            }
        }
        p += V::N;
    }
    for r in 0..RA {
        for c in 0..RB {
            let mut sum = acc[r][c].sum();
            for q in body..k {
                // SAFETY: q < k.
                sum += unsafe { *row_a(r, q) * *row_b(c, q) };
            }
            // SAFETY: i + r < m, j + c < n.
            unsafe { *s.out.add((i + r) * s.n + j + c) = *s.bias.add(j + c) + sum };
        }
    }
}

/// Operand layouts of [`gemm_broadcast`]: `A(r, p) = a[r * a_row + p * a_step]`, row `p` of
/// `b` starts at `p * b_row`, row `r` of `out` at `r * out_row`.
#[derive(Clone, Copy)]
pub(crate) struct Strides {
    pub(crate) a_row: usize,
    pub(crate) a_step: usize,
    pub(crate) b_row: usize,
    pub(crate) out_row: usize,
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
        unsafe { bc_column::<V, NV, RA>(s, j) };
        j += NV * V::N;
    }
    while j + V::N <= s.n {
        unsafe { bc_column::<V, 1, RA>(s, j) };
        j += V::N;
    }
    while j < s.n {
        unsafe { bc_column::<Scalar<V::Elem>, 1, RA>(s, j) };
        j += 1;
    }
}

#[inline(always)]
unsafe fn bc_column<V: Lanes, const NV: usize, const RA: usize>(s: BcShape<V::Elem>, j: usize) {
    let mut r = 0;
    // SAFETY (both calls): rows r..r+RA (or r) are below m.
    while r + RA <= s.m {
        unsafe { bc_tile::<V, NV, RA>(s, r, j) };
        r += RA;
    }
    while r < s.m {
        unsafe { bc_tile::<V, NV, 1>(s, r, j) };
        r += 1;
    }
}

/// One `RA x (NV * N)` tile: for each `p`, a row segment of `b` times `RA` broadcast values.
#[inline(always)]
unsafe fn bc_tile<V: Lanes, const NV: usize, const RA: usize>(
    s: BcShape<V::Elem>,
    r: usize,
    j: usize,
) {
    let st = s.s;
    let mut acc = [[V::zero(); NV]; RA];
    for p in 0..s.k {
        // SAFETY: p < k and the columns j..j + NV * N are below n.
        let b_row = unsafe { s.b.add(p * st.b_row + j) };
        let vb: [V; NV] = core::array::from_fn(|c| unsafe { V::load(b_row.add(c * V::N)) });
        for (q, row) in acc.iter_mut().enumerate() {
            // SAFETY: r + q < m and p < k.
            let va = V::splat(unsafe { *s.a.add((r + q) * st.a_row + p * st.a_step) });
            for c in 0..NV {
                row[c] = V::mul_add(va, vb[c], row[c]);
            }
        }
    }
    for (q, row) in acc.iter().enumerate() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    /// Runs `f` compiled for every instruction set this machine has, the portable one always.
    fn for_each_level(mut f: impl FnMut(Level)) {
        f(Level::Portable);
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        {
            use std::arch::is_x86_feature_detected as has;
            if has!("avx2") && has!("fma") {
                // SAFETY: the CPU has AVX2 and FMA.
                unsafe { x86::avx2(&mut f) };
            }
            if has!("avx512f") && has!("avx512vl") {
                // SAFETY: the CPU has AVX-512.
                unsafe { x86::avx512(&mut f) };
            }
        }
    }

    fn data(n: usize, seed: f64) -> Vec<f64> {
        (0..n).map(|i| ((i as f64 + seed) * 0.731).sin()).collect()
    }

    #[test]
    fn gemm_nt_matches_plain_dot_products_for_every_edge() {
        let shapes = [
            (1, 1, 1),
            (3, 5, 7),
            (4, 4, 16),
            (5, 9, 33),
            (9, 17, 40),
            (1, 10, 64),
            (19, 70, 300),
            (8, 32, 128),
            (6, 16, 17),
        ];
        let mut levels = Vec::new();
        for_each_level(
            #[inline(always)]
            |level| {
                levels.push(level);
                for (m, n, k) in shapes {
                    let (a, b, bias) = (data(m * k, 1.0), data(n * k, 2.0), data(n, 3.0));
                    let mut out = vec![f64::NAN; m * n];
                    gemm_nt(level, (m, n, k), &a, &b, &bias, &mut out);
                    for i in 0..m {
                        for j in 0..n {
                            let dot: f64 = (0..k).map(|p| a[i * k + p] * b[j * k + p]).sum();
                            let err = (out[i * n + j] - bias[j] - dot).abs();
                            assert!(err < 1e-12, "{level:?} {m}x{n}x{k}");
                        }
                    }
                }
            },
        );
        assert_eq!(levels[0], Level::Portable);
    }

    #[test]
    fn gemm_broadcast_matches_plain_sums_in_both_modes() {
        for_each_level(
            #[inline(always)]
            |level| {
                for (m, n, k) in [(1, 1, 1), (3, 5, 7), (8, 32, 4), (9, 49, 3), (17, 70, 5)] {
                    // A(r, p) = a[p * m + r]: the transposed access of dW += dY^T X.
                    let (a, b) = (data(m * k, 4.0), data(k * n, 5.0));
                    let s = Strides {
                        a_row: 1,
                        a_step: m,
                        b_row: n,
                        out_row: n,
                    };
                    let start = data(m * n, 6.0);
                    let mut added = start.clone();
                    let mut written = start.clone();
                    gemm_broadcast(level, (m, n, k), &a, &b, s, true, &mut added);
                    gemm_broadcast(level, (m, n, k), &a, &b, s, false, &mut written);
                    for r in 0..m {
                        for j in 0..n {
                            let sum: f64 = (0..k).map(|p| a[p * m + r] * b[p * n + j]).sum();
                            let (w, d) = (written[r * n + j], added[r * n + j] - start[r * n + j]);
                            assert!((w - sum).abs() < 1e-12, "{level:?} {m}x{n}x{k}");
                            assert!((d - sum).abs() < 1e-12, "{level:?} {m}x{n}x{k}");
                        }
                    }
                }
            },
        );
    }
}
