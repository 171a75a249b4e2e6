//! Matrix products blocked for the caches, with both operands packed: the large passes of wide
//! layers, whose operands do not fit in the first- or second-level cache.
//!
//! The loops follow Goto and van de Geijn ("Anatomy of high-performance matrix
//! multiplication", ACM TOMS 34(3), 2008): a block of `b` `KC` deep and `NC` wide is copied
//! into panels `NR` columns wide (it stays in the third-level cache), a block of `a` `MC` rows
//! high into panels `MR` rows high (second-level cache), and a register tile of `MR x NR`
//! outputs meets one panel of each (the panel of `b` stays in the first-level cache while the
//! panels of `a` pass over it). Packing reads each operand with whatever strides it has and
//! lays it out in the order the register tile consumes it, so one tile serves the forward
//! product and both backward products, and rows far apart in memory (which share cache sets
//! when a row is a multiple of 4 KiB) are never read side by side in the inner loop.
//!
//! One product reads `a` where it is: the forward product of a batch of at most
//! [`IN_PLACE_MAX_N`] samples with at least three times as many inputs as samples, computed weights first
//! (`W x^T`, then copied transposed by [`transpose_with_bias`]; see
//! [`weights_first`](super::weights_first)). Its `b` (the batch) is small enough to stay packed in the
//! second-level cache while each tile of the weights' rows, read once from memory, meets all
//! of it; packing the weights' transpose instead, as `x W^T` needs, copied the whole matrix on
//! every call for a few uses of each value (a fifth of the product's time at 1024 x 1024).

use super::{Level, tile_rows};
use crate::float::Float;
use crate::optim::adam_step::AdamStep;
use crate::simd::{Lanes, Scalar, prefetch};
use crate::tensor::Zero;

/// Where element `(r, c)` of an operand lives: at `r * row + c * col`.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// Step between rows.
    pub row: usize,
    /// Step between columns.
    pub col: usize,
}

/// What the output holds before the product is added: nothing, its own values, or a bias
/// row repeated down every row.
#[derive(Clone, Copy, Debug)]
pub enum Start<'a, F> {
    /// The output is overwritten.
    Zero,
    /// The product is added to the output.
    Add,
    /// The output is overwritten with `bias[j]` plus the product.
    Bias(&'a [F]),
}

impl<F> Start<'_, F> {
    /// [`Start::Add`] when `add`, [`Start::Zero`] otherwise.
    pub(crate) fn zero_or_add(add: bool) -> Self {
        if add { Start::Add } else { Start::Zero }
    }
}

/// Depth of a packed block (the summed dimension), in values: a panel of `b` of 16 columns
/// of `f32` (or 8 of `f64`) is then 16 KiB, half the first-level cache.
const KC: usize = 256;
/// Height of a packed block of `a`, in rows (a multiple of every `MR`): 96 x 256 `f32` is
/// 96 KiB, a fifth of the second-level cache.
const MC: usize = 96;
/// Width of a packed block of `b`, in columns: 2048 x 256 `f32` is 2 MiB, in the third-level
/// cache.
const NC: usize = 2048;

/// Width of a packed block of `b` when an update is fused into the product: the tiles run
/// along rows of the block and the update follows each strip of rows, so that a wide block
/// gives it long rows to stream (512 columns made the step of 2048 features a third slower
/// than 2048 columns, and 4096 was a few percent faster at 4096 features).
const FUSED_NC: usize = 4096;

/// Values of scratch space [`gemm_blocked`] needs for a product of these sizes, with an
/// update fused into it when `fused`.
pub(crate) const fn scratch_for<F>((m, n, k): (usize, usize, usize), fused: bool) -> usize {
    // One more panel than the block holds, of the widest (16 rows, 64 columns), covers the
    // rounding up to whole panels of every instruction set.
    // Room for the deepest block either loop order takes for this width.
    let kc_max = block_depth(n, size_of::<F>(), n <= IN_PLACE_MAX_N);
    let kc = if k < kc_max { k } else { kc_max };
    let mc = if m < MC { m } else { MC };
    let nc_max = if fused { FUSED_NC } else { NC };
    let nc = if n < nc_max { n } else { nc_max };
    kc * (mc + 16 + nc + 64)
}

/// The operands of [`gemm_blocked`], checked.
pub(crate) struct Operands<F> {
    pub(crate) m: usize,
    pub(crate) n: usize,
    pub(crate) k: usize,
    pub(crate) a: *const F,
    pub(crate) a_at: Layout,
    pub(crate) b: *const F,
    pub(crate) b_at: Layout,
    /// `None` for [`Start::Zero`] and [`Start::Add`] (see `add`).
    pub(crate) bias: Option<*const F>,
    pub(crate) add: bool,
    pub(crate) out: *mut F,
    pub(crate) out_row: usize,
    /// Whether the product also finds the largest magnitude among the output's final values
    /// (see [`Operands::scanned`]).
    pub(crate) scan: bool,
    /// Adam's update of the parameters whose gradients the output is (see
    /// [`Operands::updating`]).
    pub(crate) fused: Option<Fused<F>>,
}

/// An Adam update fused into a product whose output is a weight gradient: the parameters and
/// both moments, each laid out as the output, and the step's constants.
pub(crate) struct Fused<F> {
    params: *mut F,
    m: *mut F,
    v: *mut F,
    step: AdamStep<F>,
}

impl<F: Copy> Clone for Fused<F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F: Copy> Copy for Fused<F> {}

impl<F: Copy> Fused<F> {
    /// The same update, its arrays moved on by `offset` values.
    ///
    /// # Safety
    /// `offset` stays inside each array.
    unsafe fn add(self, offset: usize) -> Self {
        // SAFETY: the caller's promise.
        unsafe {
            Self {
                params: self.params.add(offset),
                m: self.m.add(offset),
                v: self.v.add(offset),
                ..self
            }
        }
    }
}

impl<F: Copy> Clone for Operands<F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F: Copy> Copy for Operands<F> {}

// SAFETY: the pointers are only dereferenced while the slices they come from are borrowed;
// two threads get disjoint output columns (see `split_columns`).
unsafe impl<F: Send> Send for Operands<F> {}
// SAFETY: as above.
unsafe impl<F: Send> Sync for Operands<F> {}

impl<F: Copy> Operands<F> {
    /// The same product, which also returns the largest
    /// [`magnitude_bits`](crate::Float::magnitude_bits) among the output's values after it
    /// (a NaN's when one is not finite),
    /// read back from each register tile as it is stored, while it is in the first-level
    /// cache: the gradient check of a layer whose gradients outgrow the caches, without a
    /// pass over them from memory.
    pub(crate) fn scanned(self) -> Self {
        Self { scan: true, ..self }
    }

    /// The same product, followed, strip by strip of `MR` output rows, by one Adam step for
    /// the parameters whose gradients those rows are (`params`, and Adam's moments `m` and
    /// `v`, each laid out as the output), while the strip's gradients are still in the
    /// second-level cache: the optimizer's update fused into the weight-gradient product,
    /// so that the gradients are not read back from memory by a pass of their own.
    ///
    /// # Panics
    /// When an array is smaller than the output.
    pub(crate) fn updating(self, [params, m, v]: [&mut [F]; 3], step: AdamStep<F>) -> Self {
        let end = (self.m - 1) * self.out_row + self.n;
        let fits = [&*params, &*m, &*v].iter().all(|s| s.len() >= end);
        assert!(fits, "gemm_blocked: update arrays smaller than the output");
        let fused = Fused {
            params: params.as_mut_ptr(),
            m: m.as_mut_ptr(),
            v: v.as_mut_ptr(),
            step,
        };
        Self {
            fused: Some(fused),
            ..self
        }
    }

    /// The product restricted to output rows `start..start + height`.
    ///
    /// # Safety
    /// `start + height <= m`.
    pub(crate) unsafe fn rows(self, start: usize, height: usize) -> Self {
        // SAFETY: row `start` exists in `a` and the output.
        unsafe {
            Self {
                m: height,
                a: self.a.add(start * self.a_at.row),
                out: self.out.add(start * self.out_row),
                fused: self.fused.map(|f| f.add(start * self.out_row)),
                ..self
            }
        }
    }

    /// The product restricted to output columns `start..start + width`.
    ///
    /// # Safety
    /// `start + width <= n`.
    pub(crate) unsafe fn columns(self, start: usize, width: usize) -> Self {
        // SAFETY: column `start` exists in `b`, the bias and the output.
        unsafe {
            Self {
                n: width,
                b: self.b.add(start * self.b_at.col),
                bias: self.bias.map(|b| b.add(start)),
                out: self.out.add(start),
                fused: self.fused.map(|f| f.add(start)),
                ..self
            }
        }
    }
}

/// Checks that the slices hold every value the product reads or writes, and returns the
/// product's operands.
///
/// # Panics
/// When a slice is too short: callers pass their own buffers, so that is a bug in the crate.
#[allow(clippy::too_many_arguments)]
pub(crate) fn operands<'a, F>(
    (m, n, k): (usize, usize, usize),
    (a, a_at): (&'a [F], Layout),
    (b, b_at): (&'a [F], Layout),
    start: Start<'a, F>,
    out: &'a mut [F],
    out_row: usize,
) -> Operands<F> {
    // The largest index an operand is read at, plus one.
    let end = |rows: usize, cols: usize, at: Layout| match (rows, cols) {
        (0, _) | (_, 0) => 0,
        _ => (rows - 1) * at.row + (cols - 1) * at.col + 1,
    };
    let bias_fits = match start {
        Start::Bias(bias) => bias.len() >= n,
        _ => true,
    };
    let out_at = Layout {
        row: out_row,
        col: 1,
    };
    let fits = a.len() >= end(m, k, a_at)
        && b.len() >= end(k, n, b_at)
        && out.len() >= end(m, n, out_at)
        && bias_fits;
    assert!(fits, "gemm_blocked: operands smaller than {m} x {n} x {k}");
    // Every layer has at least one input and one output (`NonZeroWidths`).
    assert!(k > 0, "gemm_blocked: nothing to sum");
    Operands {
        m,
        n,
        k,
        a: a.as_ptr(),
        a_at,
        b: b.as_ptr(),
        b_at,
        bias: match start {
            Start::Bias(bias) => Some(bias.as_ptr()),
            _ => None,
        },
        add: matches!(start, Start::Add),
        out: out.as_mut_ptr(),
        out_row,
        scan: false,
        fused: None,
    }
}

/// Runs `product` on `s`, or (with the feature `parallel`, for a large product) on each half
/// of its output columns on its own thread; returns the larger of the halves' results (see
/// [`gemm_blocked`]).
///
/// # Safety
/// As for [`gemm_blocked`].
pub(crate) unsafe fn run_split<F: Send + Copy, R: Ord + Default + Send>(
    s: Operands<F>,
    product: &(impl Fn(Operands<F>) -> R + Sync),
) -> R {
    if !super::split(s.m * s.n * s.k) {
        return product(s);
    }
    // A product that reads `a` in place has a narrow output (a batch): halves of its rows.
    // Any other, halves of its rows when it has at least as many rows as columns, else of its
    // columns: each half packs the whole of the other operand, `b` (k x n) or `a` (m x k), so
    // the split copies the smaller one twice. Rows also keep each half's output, and a fused
    // update's parameters and moments, in one block of memory: halves of the columns of a
    // weight gradient share a cache line in every row wherever the boundary is not on one
    // (the arrays are only as aligned as a float), and each thread's writes to that line took
    // it from the other: at N = 1024 each half of the gradient and its Adam update took
    // 1.5x-1.8x half the whole's one-thread time (a step 1.4x its one-thread speed; by rows,
    // 1.7x).
    // Halves in whole register tiles of every instruction set: 16 rows of the weights read in
    // place, 6 or 4 rows of a packed operand.
    let rows_half = if reads_a_in_place(&s) && s.m >= 32 {
        Some((s.m / 2).next_multiple_of(16))
    } else if s.m >= s.n && s.m >= 96 {
        Some((s.m / 2).next_multiple_of(48))
    } else {
        None
    };
    let (left, right) = if let Some(half) = rows_half {
        // SAFETY: half < m; the halves write disjoint rows.
        unsafe { (s.rows(0, half), s.rows(half, s.m - half)) }
    } else if s.n >= 128 {
        let half = (s.n / 2).next_multiple_of(64);
        // SAFETY: half < n; the halves write disjoint columns.
        unsafe { (s.columns(0, half), s.columns(half, s.n - half)) }
    } else {
        return product(s);
    };
    // `both` joins the halves before the caller's borrows end.
    let (mut left_largest, mut right_largest) = (R::default(), R::default());
    super::both(
        || left_largest = product(left),
        || right_largest = product(right),
    );
    left_largest.max(right_largest)
}

/// The product described by `s`, with `scratch` of at least [`scratch_for`] values; for
/// [`scanned`](Operands::scanned) operands, the largest magnitude's bits among the output's
/// values after it, otherwise 0.
///
/// # Safety
/// `s` came from [`operands`] (possibly narrowed by [`Operands::columns`]) and its slices are
/// still borrowed; `scratch` does not overlap them.
#[inline(always)]
pub(crate) unsafe fn gemm_blocked<F: Float>(
    level: Level,
    s: Operands<F>,
    scratch: &mut [F],
) -> F::Bits {
    assert!(scratch.len() >= scratch_for::<F>((s.m, s.n, s.k), s.fused.is_some()));
    // SAFETY: the caller's promise, and scratch was checked.
    unsafe {
        // The scan is a separate instantiation, so that the plain product's loops are
        // exactly what they are without it.
        if reads_a_in_place(&s) {
            return match level {
                Level::Avx512 => blocked::<F::Wide, 6, 2, false, true, false>(s, scratch),
                Level::Avx2 => blocked::<F::Mid, 6, 2, false, true, false>(s, scratch),
                Level::Portable => blocked::<Scalar<F>, 4, 4, false, true, false>(s, scratch),
            };
        }
        if s.fused.is_some() {
            return match level {
                Level::Avx512 => blocked::<F::Wide, 6, 2, false, false, true>(s, scratch),
                Level::Avx2 => blocked::<F::Mid, 6, 2, false, false, true>(s, scratch),
                Level::Portable => blocked::<Scalar<F>, 4, 4, false, false, true>(s, scratch),
            };
        }
        match (level, s.scan) {
            (Level::Avx512, false) => blocked::<F::Wide, 6, 2, false, false, false>(s, scratch),
            (Level::Avx512, true) => blocked::<F::Wide, 6, 2, true, false, false>(s, scratch),
            (Level::Avx2, false) => blocked::<F::Mid, 6, 2, false, false, false>(s, scratch),
            (Level::Avx2, true) => blocked::<F::Mid, 6, 2, true, false, false>(s, scratch),
            (Level::Portable, false) => blocked::<Scalar<F>, 4, 4, false, false, false>(s, scratch),
            (Level::Portable, true) => blocked::<Scalar<F>, 4, 4, true, false, false>(s, scratch),
        }
    }
}

/// Whether the product reads `a` where it is instead of packing it: when each row of `a` is
/// contiguous along the depth and `b` is narrow (at most [`IN_PLACE_MAX_N`] columns, the
/// weights-first forward product `W x^T`), so that the packed block of `b` stays in the
/// second-level cache while each tile of `a`'s rows, read from memory once, meets all of it.
/// Packing `a` there would copy the whole weight matrix on every call for a few uses of each
/// value.
pub(crate) fn reads_a_in_place<F>(s: &Operands<F>) -> bool {
    s.a_at.col == 1 && s.n <= IN_PLACE_MAX_N && !s.scan && s.fused.is_none()
}

/// Depth of a block of `b` of `n` columns of `size` bytes: [`KC`], or, when `a` is read in
/// place, as deep as keeps the block within 256 KiB, half the second-level cache (1024 for 64
/// columns of `f32`), and at least [`KC`], so that each output tile is added to as few times
/// as can be. (1024 against 256 made the forward product of 2048 features a tenth faster.)
const fn block_depth(n: usize, size: usize, in_place: bool) -> usize {
    if !in_place {
        return KC;
    }
    let n = if n < 16 { 16 } else { n };
    let depth = (256 << 10) / size / n / 8 * 8;
    if depth < KC { KC } else { depth }
}

/// Widest `b` whose packed block (`n x KC`) stays in the second-level cache beside the rest.
pub(crate) const IN_PLACE_MAX_N: usize = 128;

/// `out[b][j] = transposed[j][b] + bias[j]` for `(batch, outputs)` sizes: the weights-first
/// forward product's result in its place, in blocks of one vector by one vector transposed in
/// registers (a line of each side at a time), the edges one value at a time.
///
/// # Panics
/// When a slice holds fewer than `batch x outputs` values (or `bias` fewer than `outputs`).
#[inline(always)]
pub(crate) fn transpose_with_bias<F: Float>(
    level: Level,
    dims: (usize, usize),
    transposed: &[F],
    bias: &[F],
    out: &mut [F],
) {
    match level {
        Level::Avx512 => transpose_lanes::<F::Wide>(dims, transposed, bias, out),
        Level::Avx2 => transpose_lanes::<F::Mid>(dims, transposed, bias, out),
        Level::Portable => transpose_lanes::<Scalar<F>>(dims, transposed, bias, out),
    }
}

#[inline(always)]
fn transpose_lanes<V: Lanes>(
    (batch, outputs): (usize, usize),
    transposed: &[V::Elem],
    bias: &[V::Elem],
    out: &mut [V::Elem],
) {
    let n = V::N;
    let (transposed, bias) = (&transposed[..batch * outputs], &bias[..outputs]);
    let out = &mut out[..batch * outputs];
    // The widest vector's block: 16 x 16.
    let mut block = [V::Elem::ZERO; 256];
    let (whole_j, whole_b) = (outputs / n * n, batch / n * n);
    for j0 in (0..whole_j).step_by(n) {
        // SAFETY: j0 + n <= outputs values of the bias.
        let bias_v = unsafe { V::load(bias.as_ptr().add(j0)) };
        for b0 in (0..whole_b).step_by(n) {
            // SAFETY: rows j0..j0 + n of `transposed`, columns b0..b0 + n, are inside it
            // (checked above); the block holds n x n <= 256 values.
            unsafe {
                let src = transposed.as_ptr().add(j0 * batch + b0);
                V::transpose(src, batch, block.as_mut_ptr(), n);
                for q in 0..n {
                    let row = V::load(block.as_ptr().add(q * n));
                    V::add(row, bias_v).store(out.as_mut_ptr().add((b0 + q) * outputs + j0));
                }
            }
        }
        for b in whole_b..batch {
            for j in j0..j0 + n {
                out[b * outputs + j] = transposed[j * batch + b] + bias[j];
            }
        }
    }
    for j in whole_j..outputs {
        for b in 0..batch {
            out[b * outputs + j] = transposed[j * batch + b] + bias[j];
        }
    }
}

/// The loops over blocks: columns of `b` by `NC`, depth by `KC`, rows of `a` by `MC` (or, with
/// `IN_PLACE`, rows of `a` tile by tile, each over every panel of `b`, unpacked). With
/// `FUSED`, the tiles of a block run strip by strip of rows, each strip followed by its
/// update ([`Operands::updating`]).
#[inline(always)]
unsafe fn blocked<
    V: Lanes,
    const MR: usize,
    const NV: usize,
    const SCAN: bool,
    const IN_PLACE: bool,
    const FUSED: bool,
>(
    s: Operands<V::Elem>,
    scratch: &mut [V::Elem],
) -> <V::Elem as Float>::Bits {
    let nr = NV * V::N;
    let mut found = Found::<V>::new();
    // Kept in memory, not in registers: the register tile's loop needs all sixteen vector
    // registers, and two more held across it would spill inside it.
    let found = core::hint::black_box(&mut found);
    let kc_block = block_depth(s.n, size_of::<V::Elem>(), IN_PLACE);
    let (kc_max, mc_max) = (kc_block.min(s.k), MC.min(s.m));
    let (a_pack, b_pack) = scratch.split_at_mut(kc_max * (mc_max + 16));
    let mut jc = 0;
    while jc < s.n {
        let nc = if FUSED { FUSED_NC } else { NC }.min(s.n - jc);
        let mut pc = 0;
        while pc < s.k {
            let kc = kc_block.min(s.k - pc);
            // SAFETY: the block lies inside b, and the pack holds nc rounded up to panels.
            unsafe { pack_b::<V>(s, (pc, kc), (jc, nc), nr, b_pack) };
            if IN_PLACE {
                let mut ir = 0;
                while ir < s.m {
                    let rows = MR.min(s.m - ir);
                    let a_rows = tile_rows::<_, MR>(s.a.wrapping_add(pc), ir, rows, s.a_at.row);
                    let mut jr = 0;
                    while jr < nc {
                        let cols = nr.min(nc - jr);
                        let b_panel = &b_pack[jr * kc..][..nr * kc];
                        let tile = Tile {
                            row: ir,
                            col: jc + jr,
                            rows,
                            cols,
                            first: pc == 0,
                            scan: false,
                        };
                        let a = InPlace(a_rows);
                        // SAFETY: the tile's rows and columns are inside the output, each row
                        // pointer is a row of `a` from depth pc, with kc values after it.
                        unsafe { micro::<V, MR, NV, _>(s, tile, kc, a, b_panel, found) };
                        jr += nr;
                    }
                    ir += MR;
                }
                pc += kc;
                continue;
            }
            let mut ic = 0;
            while ic < s.m {
                let mc = MC.min(s.m - ic);
                // SAFETY: as above, for a.
                unsafe { pack_a::<V::Elem>(s, (ic, mc), (pc, kc), MR, a_pack) };
                // A macro, not a closure: a closure's body is not compiled for the
                // instruction set of the function around it, and its intrinsics would not
                // inline.
                macro_rules! tile_at {
                    ($ir:expr, $jr:expr) => {{
                        let (ir, jr): (usize, usize) = ($ir, $jr);
                        let b_panel = &b_pack[jr * kc..][..nr * kc];
                        let a_panel = &a_pack[ir * kc..][..MR * kc];
                        let tile = Tile {
                            row: ic + ir,
                            col: jc + jr,
                            rows: MR.min(mc - ir),
                            cols: nr.min(nc - jr),
                            first: pc == 0,
                            // Only the last block of the depth stores final values.
                            scan: SCAN && pc + kc == s.k,
                        };
                        let a = Packed::<_, MR>(a_panel.as_ptr());
                        // SAFETY: the tile's rows and columns are inside the output.
                        unsafe { micro::<V, MR, NV, _>(s, tile, kc, a, b_panel, found) };
                    }};
                }
                match s.fused {
                    Some(fused) if FUSED => {
                        for ir in (0..mc).step_by(MR) {
                            for jr in (0..nc).step_by(nr) {
                                tile_at!(ir, jr);
                            }
                            if pc + kc == s.k {
                                let rows = (ic + ir, MR.min(mc - ir));
                                // SAFETY: the strip lies inside the output.
                                unsafe { update_strip(s, fused, rows, (jc, nc)) };
                            }
                        }
                    }
                    _ => {
                        for jr in (0..nc).step_by(nr) {
                            for ir in (0..mc).step_by(MR) {
                                tile_at!(ir, jr);
                            }
                        }
                    }
                }
                ic += mc;
            }
            pc += kc;
        }
        jc += nc;
    }
    if SCAN {
        found.largest()
    } else {
        Default::default()
    }
}

/// One Adam step for the parameters of output rows `rows` (first, count), columns `cols`
/// (first, count), from their gradients, just stored: row by row, so that each of the four
/// arrays is read as one stream (a tile's rows, a row of the weights apart, would fight over
/// the same sets of the first-level cache).
///
/// # Safety
/// The rows and columns lie inside the output, and so inside each of the update's arrays
/// ([`Operands::updating`]), which are distinct buffers.
#[inline(always)]
unsafe fn update_strip<F: Float>(
    s: Operands<F>,
    f: Fused<F>,
    (row0, rows): (usize, usize),
    (col0, cols): (usize, usize),
) {
    for r in row0..row0 + rows {
        let at = r * s.out_row + col0;
        // SAFETY: the caller's promise; nothing else refers to these values during the call.
        unsafe {
            let row = |p: *mut F| core::slice::from_raw_parts_mut(p.add(at), cols);
            f.step
                .apply::<false>(row(f.params), row(s.out), row(f.m), row(f.v));
        }
    }
}

/// What a scanned product has seen of its stored values: the largest magnitude lane by lane
/// and their sum (not finite once any value is NaN or infinite, or when the sum overflows:
/// then the caller reads the values again) for full tiles, and the largest magnitude's bits
/// for edge tiles.
struct Found<V: Lanes> {
    largest: V,
    poison: V,
    edges: <V::Elem as Float>::Bits,
}

impl<V: Lanes> Found<V> {
    fn new() -> Self {
        Self {
            largest: V::zero(),
            poison: V::zero(),
            edges: Default::default(),
        }
    }

    /// Takes in a full tile's stored vectors: one chain of maxima and one of sums per column
    /// of vectors, independent of everything but the tile, then one step of each into what
    /// was found before. (A chain through every vector of every tile made the product a tenth
    /// slower.)
    #[inline(always)]
    fn see<const NV: usize, const MR: usize>(&mut self, tile: &[[V; NV]; MR]) {
        let (mut largest, mut sum) = ([V::zero(); NV], [V::zero(); NV]);
        for row in tile {
            for (v, &value) in row.iter().enumerate() {
                largest[v] = value.abs_max(largest[v]);
                sum[v] = V::add(sum[v], value);
            }
        }
        for v in 0..NV {
            self.largest = largest[v].abs_max(self.largest);
            self.poison = V::add(self.poison, sum[v]);
        }
    }

    /// The largest magnitude's bits of everything seen, NaN's when the sum is not finite.
    fn largest(&self) -> <V::Elem as Float>::Bits {
        let mut lanes = [V::Elem::ZERO; 64];
        // SAFETY: the buffer holds 64 >= N values.
        unsafe { self.largest.store(lanes.as_mut_ptr()) };
        let largest = lanes[..V::N]
            .iter()
            .fold(self.edges, |l, v| l.max(v.magnitude_bits()));
        // A sum that is not finite: some value is not, or the values are so large that their
        // sum overflows. Either way the result is NaN, and the caller reads them.
        if num_traits::Float::is_finite(self.poison.sum()) {
            largest
        } else {
            largest.max(<V::Elem as num_traits::Float>::nan().magnitude_bits())
        }
    }
}

/// Copies rows `rows` (start, count) of `a`, depth `depth`, into panels of `mr` rows: panel
/// `q`'s value `(r, p)` at `q * mr * kc + p * mr + r`, zero below the last row.
///
/// # Safety
/// The rows and depth lie inside `a`; `pack` holds `count` rounded up to `mr`, times `kc`.
#[inline(always)]
unsafe fn pack_a<F: Float>(
    s: Operands<F>,
    (row0, rows): (usize, usize),
    (p0, kc): (usize, usize),
    mr: usize,
    pack: &mut [F],
) {
    let at = s.a_at;
    for (panel, dst) in pack
        .chunks_exact_mut(mr * kc)
        .take(rows.div_ceil(mr))
        .enumerate()
    {
        let r0 = row0 + panel * mr;
        let live = mr.min(row0 + rows - r0);
        for (p, column) in dst.chunks_exact_mut(mr).enumerate() {
            for (r, v) in column.iter_mut().enumerate() {
                // SAFETY: row r0 + r < m and p0 + p < k.
                *v = if r < live {
                    // SAFETY: row r0 + r < m (r < live) and column p0 + p < k: inside `a`.
                    unsafe { *s.a.add((r0 + r) * at.row + (p0 + p) * at.col) }
                } else {
                    F::ZERO
                };
            }
        }
    }
}

/// Copies columns `cols` (start, count) of `b`, depth `depth`, into panels of `nr` columns:
/// panel `q`'s value `(p, c)` at `q * nr * kc + p * nr + c`, zero right of the last column.
///
/// # Safety
/// The columns and depth lie inside `b`; `pack` holds `count` rounded up to `nr`, times `kc`.
#[inline(always)]
unsafe fn pack_b<V: Lanes>(
    s: Operands<V::Elem>,
    (p0, kc): (usize, usize),
    (col0, cols): (usize, usize),
    nr: usize,
    pack: &mut [V::Elem],
) {
    let at = s.b_at;
    for (panel, dst) in pack
        .chunks_exact_mut(nr * kc)
        .take(cols.div_ceil(nr))
        .enumerate()
    {
        let c0 = col0 + panel * nr;
        let live = nr.min(col0 + cols - c0);
        let at_b = |p: usize, c: usize| {
            // SAFETY: column c0 + c < n and p0 + p < k.
            unsafe { *s.b.add((p0 + p) * at.row + (c0 + c) * at.col) }
        };
        let mut p = 0;
        if at.row == 1 && live == nr {
            // Each column is contiguous (the forward product's `W^T`): transpose blocks of
            // `N x N` in registers.
            while p + V::N <= kc {
                for c in (0..nr).step_by(V::N) {
                    // SAFETY: columns c0 + c.. c0 + c + N < n, depth p0 + p..+N < k; the pack
                    // holds N rows of nr from row p.
                    unsafe {
                        let src = s.b.add((p0 + p) + (c0 + c) * at.col);
                        V::transpose(src, at.col, dst.as_mut_ptr().add(p * nr + c), nr);
                    }
                }
                p += V::N;
            }
        }
        for (p, row) in dst.chunks_exact_mut(nr).enumerate().skip(p) {
            for (c, v) in row.iter_mut().enumerate() {
                *v = if c < live { at_b(p, c) } else { V::Elem::ZERO };
            }
        }
    }
}

/// One register tile: output rows `row..row + rows`, columns `col..col + cols`; `first`
/// when its sum starts here (from zero, the output or the bias); `scan` when the largest
/// magnitude among its stored values is wanted.
#[derive(Clone, Copy)]
struct Tile {
    row: usize,
    col: usize,
    rows: usize,
    cols: usize,
    first: bool,
    scan: bool,
}

/// Where a register tile reads its `MR` values of `a` at each step of the depth.
trait RowsOfA<F>: Copy {
    /// Row `r`'s value at step `p`.
    ///
    /// # Safety
    /// `r < MR` and `p` is below the depth of the block.
    unsafe fn at(self, p: usize, r: usize) -> F;
}

/// A packed panel: step `p`'s `MR` values side by side.
#[derive(Clone, Copy)]
struct Packed<F, const MR: usize>(*const F);

impl<F: Copy, const MR: usize> RowsOfA<F> for Packed<F, MR> {
    #[inline(always)]
    unsafe fn at(self, p: usize, r: usize) -> F {
        // SAFETY: the panel holds kc steps of MR values.
        unsafe { *self.0.add(p * MR + r) }
    }
}

/// Rows of `a` read where they are, each contiguous along the depth.
#[derive(Clone, Copy)]
struct InPlace<F, const MR: usize>([*const F; MR]);

impl<F: Copy, const MR: usize> RowsOfA<F> for InPlace<F, MR> {
    #[inline(always)]
    unsafe fn at(self, p: usize, r: usize) -> F {
        // SAFETY: each row holds the block's depth from its pointer.
        unsafe { *self.0[r].add(p) }
    }
}

/// `MR x NV` vectors of sums of one panel of `a` and one of `b`, added to the output; the
/// values stored go into `found` when the tile is scanned.
///
/// # Safety
/// The tile's rows and columns lie inside the output; `a` and the panel of `b` hold `kc`
/// steps.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
unsafe fn micro<V: Lanes, const MR: usize, const NV: usize, A: RowsOfA<V::Elem>>(
    s: Operands<V::Elem>,
    t: Tile,
    kc: usize,
    a: A,
    b_panel: &[V::Elem],
    found: &mut Found<V>,
) {
    let nr = NV * V::N;
    let bp = b_panel.as_ptr();
    // The output tile is read after the sums; asking for it now hides the wait for memory
    // behind them (the output of `dW += dy^T x` is read once per step, from memory).
    for r in 0..t.rows {
        let row = s.out.wrapping_add((t.row + r) * s.out_row + t.col);
        prefetch(row);
        prefetch(row.wrapping_add(nr - 1));
    }
    let mut acc = [[V::zero(); NV]; MR];
    for p in 0..kc {
        // SAFETY: the panels hold kc steps of nr (and MR) values.
        let vb: [V; NV] = core::array::from_fn(|v| unsafe { V::load(bp.add(p * nr + v * V::N)) });
        for r in 0..MR {
            // SAFETY: p < kc, r < MR.
            let va = V::splat(unsafe { a.at(p, r) });
            for v in 0..NV {
                acc[r][v] = V::mul_add(va, vb[v], acc[r][v]);
            }
        }
    }
    // What the sum starts from: the bias on the first block, unless the output is overwritten
    // or added to; the output itself on later blocks.
    let from_out = !t.first || s.add;
    let bias = if t.first { s.bias } else { None };
    let out = |r: usize| {
        // SAFETY: row t.row + r < m, column t.col < n.
        unsafe { s.out.add((t.row + r) * s.out_row + t.col) }
    };
    if t.rows == MR && t.cols == nr {
        let mut stored = [[V::zero(); NV]; MR];
        for (r, row) in acc.iter().enumerate() {
            for (v, &sum) in row.iter().enumerate() {
                // SAFETY: the full tile lies inside the output and the bias.
                unsafe {
                    let dst = out(r).add(v * V::N);
                    let value = match bias {
                        Some(b) => V::add(V::load(b.add(t.col + v * V::N)), sum),
                        None if from_out => V::add(V::load(dst), sum),
                        None => sum,
                    };
                    value.store(dst);
                    stored[r][v] = value;
                }
            }
        }
        if t.scan {
            found.see(&stored);
        }
        return;
    }
    // Edge tiles go through a buffer of the full width.
    let mut edge = [[V::Elem::ZERO; 64]; MR];
    for (r, row) in acc.iter().enumerate().take(t.rows) {
        for (v, &sum) in row.iter().enumerate() {
            // SAFETY: the buffer row holds 64 >= nr values.
            unsafe { sum.store(edge[r].as_mut_ptr().add(v * V::N)) };
        }
        for (c, &sum) in edge[r].iter().enumerate().take(t.cols) {
            // SAFETY: column t.col + c < n.
            unsafe {
                let dst = out(r).add(c);
                *dst = match bias {
                    Some(b) => *b.add(t.col + c) + sum,
                    None if from_out => *dst + sum,
                    None => sum,
                };
            }
        }
    }
    // SAFETY: the tile's rows and columns lie inside the output.
    let edge_largest = unsafe { largest_in(s, t, t.cols) };
    found.edges = found.edges.max(edge_largest);
}

/// The largest magnitude's bits among the first `cols` values of each of the tile's rows, just
/// stored (0 when the tile is not scanned): for edge tiles, which are few.
///
/// # Safety
/// The tile's rows and `cols` columns lie inside the output.
#[inline(always)]
unsafe fn largest_in<F: Float>(s: Operands<F>, t: Tile, cols: usize) -> F::Bits {
    let mut largest = F::Bits::default();
    if t.scan {
        for r in 0..t.rows {
            // SAFETY: row t.row + r < m and columns t.col..t.col + cols < n.
            let row = unsafe {
                core::slice::from_raw_parts(s.out.add((t.row + r) * s.out_row + t.col), cols)
            };
            largest = row.iter().fold(largest, |l, v| l.max(v.magnitude_bits()));
        }
    }
    largest
}
