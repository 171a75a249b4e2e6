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
//! at run time by [`dispatch!`].
//!
//! Large products (from [`BLOCKED_MIN_WORK`] multiply-adds, with an allocator) run a third
//! shape, blocked for the caches with both operands packed (`blocked`), which serves all
//! three passes of a layer; the forward product of a batch of up to 128 samples, with at least
//! three times as many inputs as samples, runs weights first there, with the weights read in place.
//!
//! Compile time is part of the design: a product of at most [`INLINE_MAX_WORK`]
//! multiply-adds is compiled into its call site, where its sizes are constants (tiny layers
//! gain from full unrolling); every larger one calls the copy of the kernels compiled in this
//! crate for each float type and instruction set ([`Compiled`]), with its sizes as values. So
//! each distinct layer shape above the tiny ones adds only a thin shim.

#[cfg(feature = "alloc")]
mod blocked;
mod broadcast;
mod compiled;
mod nt;
#[cfg(all(feature = "alloc", not(feature = "std"), target_has_atomic = "8"))]
mod shared;

/// Where each row of a register tile of `R` rows, from row `first` of a matrix at `a` whose
/// rows are `row` apart, reads: of the tile's rows only the first `live` exist, and the rows
/// past them repeat the last, so that a tile over a matrix's last rows reads only inside it
/// (and stores only its live rows).
#[inline(always)]
pub(crate) fn tile_rows<T, const R: usize>(
    a: *const T,
    first: usize,
    live: usize,
    row: usize,
) -> [*const T; R] {
    core::array::from_fn(|q| a.wrapping_add((first + q.min(live - 1)) * row))
}

/// Whether a layer of `params` weights, whose weight-gradient product is blocked, leaves that
/// product to Adam's update ([`Backward::backward_deferred`](crate::Backward::backward_deferred)):
/// from 2^20 weights (4 MiB of `f32`, 16 MiB with the gradients and both moments), whose
/// gradients would make a round trip through memory between the product and a separate
/// update. Smaller layers stay in the caches, where the fused product's order of tiles (a
/// strip of rows across every panel, which reads the packed block from the second-level cache
/// for each strip) costs more than it saves: W3's 784 x 256 step measured 0.86x of its floor
/// fused against 0.88x-0.94x, 256 x 256 unchanged, 1024 x 1024 a sixth faster.
#[cfg(feature = "alloc")]
pub(crate) const fn fused_update(params: usize) -> bool {
    params >= FUSED_MIN_PARAMS
}

/// Weights from which [`fused_update`] holds.
#[cfg(feature = "alloc")]
pub(crate) const FUSED_MIN_PARAMS: usize = 1 << 20;

/// Whether a blocked forward product of `batch` samples of `inputs` features runs weights
/// first ([`Compiled::blocked_weights_first`]): for a batch of at most
/// [`IN_PLACE_MAX_N`](blocked::IN_PLACE_MAX_N) samples and at least three times as many inputs as samples.
/// Weights first spares the copy of the weights' transpose (inputs x outputs values) and adds
/// the copy of the transposed result (batch x outputs); timed against the packed product at
/// batches of 32, 64 and 128, it won from about three times as many inputs as samples (at 64: 7% slower at
/// 128 inputs, 6% faster at 192, 13% at 384) and lost up to 75% on shallow layers (16
/// inputs).
#[cfg(feature = "alloc")]
pub(crate) const fn weights_first(batch: usize, inputs: usize) -> bool {
    batch <= blocked::IN_PLACE_MAX_N && inputs >= 3 * batch
}
#[cfg(feature = "alloc")]
pub use blocked::{Layout, Start};
pub use compiled::Compiled;

pub use broadcast::Strides;
pub(crate) use broadcast::gemm_broadcast;
pub(crate) use nt::{gemm_nt, gemm_nt_two_threads};

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

/// Work (in multiply-adds) up to which a product is compiled into its call site, where its
/// sizes are constants. Larger products run the copy of the
/// kernels compiled in this crate, with sizes as values: a model of many distinct widths
/// compiles them once, not once per layer.
pub(crate) const INLINE_MAX_WORK: usize = 4096;

/// Work (in multiply-adds) from which a product runs the kernels blocked for the caches, with
/// both operands packed ([`Compiled::blocked`]), where the crate has an allocator for their
/// scratch space. Below it the operands of a layer's pass stay in the second-level cache and
/// the unpacked kernels, which need no scratch, are as fast.
pub(crate) const BLOCKED_MIN_WORK: usize = 1 << 20;

/// Whether a product of `work` multiply-adds is compiled into its call site with its sizes as
/// constants (tiny layers gain from full unrolling). Evaluated in `const` context, so that
/// the compiler generates only the branch taken.
pub(crate) const fn inline(work: usize) -> bool {
    work <= INLINE_MAX_WORK
}

/// Whether a product of `work` multiply-adds runs blocked for the caches
/// ([`BLOCKED_MIN_WORK`]).
pub(crate) const fn blocked(work: usize) -> bool {
    cfg!(feature = "alloc") && work >= BLOCKED_MIN_WORK
}

/// Work (in multiply-adds) above which a pass is split between two threads, with the feature
/// `parallel`: far above the cost of handing half of it to another thread.
#[cfg_attr(not(feature = "parallel"), allow(dead_code))]
pub(crate) const PARALLEL_MIN_WORK: usize = 1 << 23;

/// Whether a pass of `work` multiply-adds should be split between two threads: with the
/// feature `parallel`, when it is large enough and the rayon pool it runs in (the global
/// one, outside any) has more than one thread. A pool of one would run the halves one after
/// the other, each packing its own operands, which is slower than the pass whole.
#[inline(always)]
pub(crate) fn split(work: usize) -> bool {
    #[cfg(feature = "parallel")]
    return work >= PARALLEL_MIN_WORK && rayon::current_num_threads() > 1;
    #[cfg(not(feature = "parallel"))]
    {
        let _ = work;
        false
    }
}

/// Runs `a` and `b`: on two threads of rayon's pool with the feature `parallel`, one after
/// the other without it. Call it where [`split`] said yes.
///
/// `rayon::join` allocates nothing. Called from a thread outside the pool (a program's main
/// thread) it hands both halves to the pool's threads and waits, which costs two hand-overs
/// per split; inside the pool (`ThreadPool::install`) the caller runs one half itself. The
/// alternative that runs one half on the calling thread from outside the pool
/// (`rayon::in_place_scope`) allocates a job per split, which the training step must not.
#[inline]
pub(crate) fn both(a: impl FnOnce() + Send, b: impl FnOnce() + Send) {
    #[cfg(feature = "parallel")]
    rayon::join(a, b);
    #[cfg(not(feature = "parallel"))]
    {
        a();
        b();
    }
}

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
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports every feature `avx512` is compiled with
            // (`avx512f,avx512vl,avx2,fma`), each detected above.
            return unsafe { x86::avx512(kernel) };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU supports `avx2` and `fma`, the features `avx2` is compiled with.
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    /// A pass splits from the threshold on, and only in a pool of more than one thread.
    #[cfg(feature = "parallel")]
    #[test]
    fn passes_split_from_the_threshold_in_a_pool_of_two_threads_only() {
        let pool = |threads| {
            let builder = rayon::ThreadPoolBuilder::new().num_threads(threads);
            builder.build().expect("a thread pool")
        };
        pool(2).install(|| {
            assert!(split(PARALLEL_MIN_WORK));
            assert!(!split(PARALLEL_MIN_WORK - 1));
        });
        pool(1).install(|| assert!(!split(PARALLEL_MIN_WORK)));
    }

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
            if has!("avx512f") && has!("avx512vl") && has!("avx2") && has!("fma") {
                // SAFETY: the CPU has every feature `avx512` is compiled with, detected here.
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
        // Miri interprets every instruction: the edges, at sizes it finishes in seconds.
        let shapes = if cfg!(miri) {
            &shapes[..4]
        } else {
            &shapes[..]
        };
        let mut levels = Vec::new();
        for_each_level(
            #[inline(always)]
            |level| {
                levels.push(level);
                for &(m, n, k) in shapes {
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

    /// In `f32`, a single row of eight outputs with a depth of whole vectors sums its eight
    /// dot products in one vector (`Lanes::sums`): rows left over below the two-row tiles,
    /// widths with and without a remainder, depths with and without one.
    #[test]
    fn gemm_nt_sums_a_row_of_outputs_at_once_in_f32() {
        let shapes = [
            (1, 8, 8),
            (1, 16, 64),
            (1, 13, 24),
            (1, 32, 64),
            (3, 24, 16),
            (1, 8, 12),
        ];
        for_each_level(
            #[inline(always)]
            |level| {
                for &(m, n, k) in &shapes {
                    let f = |v: Vec<f64>| v.into_iter().map(|v| v as f32).collect::<Vec<f32>>();
                    let (a, b, bias) = (f(data(m * k, 1.0)), f(data(n * k, 2.0)), f(data(n, 3.0)));
                    let mut out = vec![f32::NAN; m * n];
                    gemm_nt(level, (m, n, k), &a, &b, &bias, &mut out);
                    for i in 0..m {
                        for j in 0..n {
                            let dot: f64 = (0..k)
                                .map(|p| a[i * k + p] as f64 * b[j * k + p] as f64)
                                .sum();
                            let want = bias[j] as f64 + dot;
                            let err = (out[i * n + j] as f64 - want).abs();
                            assert!(err < 1e-5 * (1.0 + want.abs()), "{level:?} {m}x{n}x{k}");
                        }
                    }
                }
            },
        );
    }

    /// The sigmoid as each instruction set computes it (with the fused `exp` where there is
    /// FMA) against the exact function, across the whole range and at the special values.
    #[test]
    fn sigmoid_values_agree_with_the_exact_function_on_every_level() {
        let mut x: Vec<f32> = (0..=4000).map(|i| -100.0 + i as f32 * 0.05).collect();
        x.extend([f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0, 1e-30, -1e-30]);
        let x = if cfg!(miri) { x[..64].to_vec() } else { x };
        for_each_level(
            #[inline(always)]
            |level| {
                let mut y = vec![f32::NAN; x.len()];
                crate::layers::Activation::Sigmoid.values(level, &x, &mut y);
                for (&x, &y) in x.iter().zip(&y) {
                    let exact = 1.0 / (1.0 + (-(x as f64)).exp());
                    // Where e^-x overflows (x below -88.37) the result is 0, within the
                    // smallest normal float of the true value.
                    let err = (y as f64 - exact).abs();
                    let bound = 1e-6 * exact + f32::MIN_POSITIVE as f64;
                    assert!(err <= bound, "{level:?} sigmoid({x}) = {y}, not {exact}");
                }
                let mut nan = [0.0f32];
                crate::layers::Activation::Sigmoid.values(level, &[f32::NAN], &mut nan);
                assert!(nan[0].is_nan(), "{level:?}");
            },
        );
    }

    #[test]
    fn gemm_broadcast_matches_plain_sums_in_both_modes() {
        for_each_level(
            #[inline(always)]
            |level| {
                // Every number of rows below the last whole tile, 1 to 5; under Miri, which
                // looks for undefined behaviour and runs each operation a thousand times
                // slower, the smaller shapes, which leave every remainder of the portable
                // tile's four rows.
                let shapes = [(1, 1, 1), (3, 5, 7), (8, 32, 4), (9, 49, 3), (10, 24, 6)];
                let larger = [(17, 70, 5), (64, 16, 10)];
                let larger = if cfg!(miri) { &[][..] } else { &larger[..] };
                let shapes = shapes
                    .into_iter()
                    .chain([(16, 9, 2)])
                    .chain(larger.iter().copied());
                for (m, n, k) in shapes {
                    // A(r, p) = a[p * m + r]: the transposed access of dW += dY^T X.
                    let (a, b) = (data(m * k, 4.0), data(k * n, 5.0));
                    let s = Strides {
                        a_row: 1,
                        a_step: m,
                        b_row: n,
                        out_row: n,
                    };
                    // Rows past the output, which no product may touch.
                    let start = data((m + 8) * n, 6.0);
                    let mut added = start.clone();
                    let mut written = start.clone();
                    gemm_broadcast(level, (m, n, k), &a, &b, s, true, &mut added);
                    gemm_broadcast(level, (m, n, k), &a, &b, s, false, &mut written);
                    assert_eq!(added[m * n..], start[m * n..], "{level:?} {m}x{n}x{k}");
                    assert_eq!(written[m * n..], start[m * n..], "{level:?} {m}x{n}x{k}");
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

    /// Every layout of the three passes, with sizes that leave partial panels and partial
    /// blocks on every side (KC = 256, MC = 96, NC = 2048) and last tiles of every height, in
    /// both float types.
    #[cfg(feature = "alloc")]
    #[test]
    fn gemm_blocked_matches_plain_sums_for_every_layout_and_edge() {
        use blocked::{Layout, Start, gemm_blocked, operands, scratch_for};
        fn check<F: crate::Float>(level: Level, (m, n, k): (usize, usize, usize), tol: f64) {
            let f = |v: Vec<f64>| v.into_iter().map(F::from_f64).collect::<Vec<F>>();
            let (a, b, bias) = (f(data(m * k, 1.0)), f(data(n * k, 2.0)), f(data(n, 3.0)));
            let start = f(data(m * n, 4.0));
            // (a's layout, b's layout): forward `x W^T`, weight gradient `dy^T x`, `dy W`.
            let layouts = [
                (Layout { row: k, col: 1 }, Layout { row: 1, col: k }),
                (Layout { row: 1, col: m }, Layout { row: n, col: 1 }),
                (Layout { row: k, col: 1 }, Layout { row: n, col: 1 }),
            ];
            for (a_at, b_at) in layouts {
                let at = |x: &[F], l: Layout, r: usize, c: usize| x[r * l.row + c * l.col].as_f64();
                // The plain sums once per layout: every mode adds the same product.
                let sums: Vec<f64> = (0..m * n)
                    .map(|i| {
                        (0..k)
                            .map(|p| at(&a, a_at, i / n, p) * at(&b, b_at, p, i % n))
                            .sum()
                    })
                    .collect();
                for mode in 0..3 {
                    let mut out = start.clone();
                    let first = match mode {
                        0 => Start::Zero,
                        1 => Start::Add,
                        _ => Start::Bias(&bias),
                    };
                    let s = operands((m, n, k), (&a, a_at), (&b, b_at), first, &mut out, n);
                    let mut scratch = alloc::vec![F::ZERO; scratch_for::<F>((m, n, k), false)];
                    // SAFETY: the operands were checked and stay borrowed.
                    unsafe { gemm_blocked(level, s, &mut scratch) };
                    for (i, &sum) in sums.iter().enumerate() {
                        let base = match mode {
                            0 => 0.0,
                            1 => start[i].as_f64(),
                            _ => bias[i % n].as_f64(),
                        };
                        let err = (out[i].as_f64() - base - sum).abs();
                        assert!(
                            err < tol * (1.0 + sum.abs()),
                            "{level:?} {m}x{n}x{k} mode {mode}: {err}"
                        );
                    }
                }
            }
        }
        let shapes = [
            (1, 1, 1),
            (7, 17, 9),
            (13, 40, 300),
            (64, 33, 257),
            (100, 2050, 5),
            (97, 70, 520),
            // Last tiles of 2 and 4 rows (6-row tiles) and of 2 (4-row tiles).
            (32, 20, 40),
            (98, 19, 8),
            (70, 16, 3),
        ];
        let shapes = if cfg!(miri) {
            &shapes[..2]
        } else {
            &shapes[..]
        };
        for_each_level(
            #[inline(always)]
            |level| {
                for &dims in shapes {
                    check::<f64>(level, dims, 1e-12);
                    check::<f32>(level, dims, 1e-4);
                }
            },
        );
    }

    /// The product with Adam's update fused into it (`Operands::updating`) gives, to the last
    /// bit, the product and then the update over the whole output: for edges on every side,
    /// two blocks of the depth (KC = 256) and two of the width (4096 columns when fused).
    #[cfg(feature = "alloc")]
    #[test]
    fn gemm_blocked_with_an_update_matches_the_update_after_it() {
        use crate::optim::adam_step::AdamStep;
        use blocked::{Layout, Start, gemm_blocked, operands, scratch_for};
        fn check<F: crate::Float>(level: Level, (m, n, k): (usize, usize, usize)) {
            let f = |v: Vec<f64>| v.into_iter().map(F::from_f64).collect::<Vec<F>>();
            let (a, b) = (f(data(m * k, 1.0)), f(data(n * k, 2.0)));
            let params = f(data(m * n, 3.0));
            let first = f(data(m * n, 4.0));
            let second = f(data(m * n, 5.0).into_iter().map(|v| v * v).collect());
            let step = AdamStep {
                beta1: F::from_f64(0.9),
                beta2: F::from_f64(0.999),
                eps: F::from_f64(1e-8),
                weight_decay: F::from_f64(0.01),
                // Step 3's bias corrections: 1 / (1 - 0.9^3) and 1 / sqrt(1 - 0.999^3).
                step_size: F::from_f64(1e-3 / 0.271),
                inv_root_c2: F::from_f64(18.266),
            };
            // The weight gradient's layout: `dy^T x`.
            let (a_at, b_at) = (Layout { row: 1, col: m }, Layout { row: n, col: 1 });
            let zeros = alloc::vec![F::ZERO; m * n];
            let (mut out, mut p) = (zeros.clone(), params.clone());
            let (mut mo, mut vo) = (first.clone(), second.clone());
            let s = operands((m, n, k), (&a, a_at), (&b, b_at), Start::Zero, &mut out, n);
            let mut scratch = alloc::vec![F::ZERO; scratch_for::<F>((m, n, k), false)];
            // SAFETY: the operands were checked and stay borrowed.
            unsafe { gemm_blocked(level, s, &mut scratch) };
            step.apply::<false>(&mut p, &mut out, &mut mo, &mut vo);

            let (mut g, mut p2, mut m2, mut v2) = (zeros, params, first, second);
            let s = operands((m, n, k), (&a, a_at), (&b, b_at), Start::Zero, &mut g, n)
                .updating([&mut p2, &mut m2, &mut v2], step);
            let mut scratch = alloc::vec![F::ZERO; scratch_for::<F>((m, n, k), true)];
            // SAFETY: as above; the update's arrays were checked too.
            unsafe { gemm_blocked(level, s, &mut scratch) };
            let same = |x: &[F], y: &[F]| {
                x.iter()
                    .zip(y)
                    .all(|(x, y)| x.as_f64().to_bits() == y.as_f64().to_bits())
            };
            assert!(same(&g, &out), "{level:?} {m}x{n}x{k}: gradients");
            assert!(same(&p2, &p), "{level:?} {m}x{n}x{k}: parameters");
            assert!(
                same(&m2, &mo) && same(&v2, &vo),
                "{level:?} {m}x{n}x{k}: moments"
            );
        }
        let shapes = [(7, 17, 9), (13, 40, 300), (97, 70, 64), (20, 4100, 5)];
        // Under Miri, the smallest: its edges on every side cover the fused loops.
        let shapes = if cfg!(miri) {
            &shapes[..1]
        } else {
            &shapes[..]
        };
        for_each_level(
            #[inline(always)]
            |level| {
                for &dims in shapes {
                    check::<f64>(level, dims);
                    check::<f32>(level, dims);
                }
            },
        );
    }

    /// Every kernel at random sizes from 1 to 300 in each dimension, on every instruction set
    /// this machine has, against plain sums in `f64`: forward (`gemm_nt`), both backward
    /// products (`gemm_broadcast`, added and written), and the blocked kernel in each layout.
    #[cfg(all(feature = "std", not(miri)))]
    mod random_sizes {
        use super::*;
        use proptest::prelude::*;

        fn reference(
            (m, n, k): (usize, usize, usize),
            a: impl Fn(usize, usize) -> f64,
            b: impl Fn(usize, usize) -> f64,
        ) -> Vec<f64> {
            let mut out = vec![0.0; m * n];
            for r in 0..m {
                for j in 0..n {
                    out[r * n + j] = (0..k).map(|p| a(r, p) * b(p, j)).sum();
                }
            }
            out
        }

        fn close(got: &[f64], want: &[f64], what: &str) -> Result<(), TestCaseError> {
            for (i, (g, w)) in got.iter().zip(want).enumerate() {
                prop_assert!(
                    (g - w).abs() <= 1e-10 * (1.0 + w.abs()),
                    "{what}: {i}: {g} vs {w}"
                );
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(12))]
            #[test]
            fn every_kernel_matches_plain_sums(m in 1usize..=300, n in 1usize..=300, k in 1usize..=300) {
                let (a, b, bias) = (data(m * k, 1.0), data(n * k, 2.0), data(n, 3.0));
                // The plain sums once for every level: the forward layout (`a b^T`, both rows
                // k long) and the weight-gradient layout (`a^T b`, a's columns m long).
                let forward = reference((m, n, k), |r, p| a[r * k + p], |p, j| b[j * k + p]);
                let backward = reference((m, n, k), |r, p| a[p * m + r], |p, j| b[p * n + j]);
                let mut result = Ok(());
                for_each_level(
                    #[inline(always)]
                    |level| {
                        if result.is_err() {
                            return;
                        }
                        let what = alloc::format!("{level:?} {m}x{n}x{k}");
                        // Forward: out = bias + a b^T, both rows k long.
                        let mut out = vec![f64::NAN; m * n];
                        gemm_nt(level, (m, n, k), &a, &b, &bias, &mut out);
                        let mut want = forward.clone();
                        want.iter_mut().enumerate().for_each(|(i, w)| *w += bias[i % n]);
                        result = close(&out, &want, &what);
                        // Backward: A(r, p) = a[p * m + r] (dy^T), b rows n long.
                        let s = Strides { a_row: 1, a_step: m, b_row: n, out_row: n };
                        let mut written = vec![f64::NAN; m * n];
                        gemm_broadcast(level, (m, n, k), &a, &b, s, false, &mut written);
                        result = result.clone().and_then(|()| close(&written, &backward, &what));
                        // Blocked, forward layout.
                        let x_at = blocked::Layout { row: k, col: 1 };
                        let w_at = blocked::Layout { row: 1, col: k };
                        let mut out = vec![f64::NAN; m * n];
                        let ops = blocked::operands(
                            (m, n, k), (&a, x_at), (&b, w_at), blocked::Start::Zero, &mut out, n,
                        );
                        let mut scratch = vec![0.0; blocked::scratch_for::<f64>((m, n, k), false)];
                        // SAFETY: the operands were checked and stay borrowed.
                        unsafe { blocked::gemm_blocked(level, ops, &mut scratch) };
                        result = result.clone().and_then(|()| close(&out, &forward, &what));
                        // Blocked and scanned, weight-gradient layout, added to a start: the
                        // largest magnitude among the final values, over every block of the
                        // depth (k > 256) and of the rows (m > 96), edges included.
                        let (dy_t_at, x_at) = (blocked::Layout { row: 1, col: m }, blocked::Layout { row: n, col: 1 });
                        let start = data(m * n, 4.0);
                        let mut added = start.clone();
                        let ops = blocked::operands(
                            (m, n, k), (&a, dy_t_at), (&b, x_at), blocked::Start::Add, &mut added, n,
                        ).scanned();
                        // SAFETY: the operands were checked and stay borrowed.
                        let largest = unsafe { blocked::gemm_blocked(level, ops, &mut scratch) };
                        let mut want = backward.clone();
                        want.iter_mut().zip(&start).for_each(|(w, s)| *w += s);
                        result = result.clone().and_then(|()| close(&added, &want, &what));
                        let found = added.iter().fold(0, |l, v| l.max(crate::Float::magnitude_bits(*v)));
                        if result.is_ok() && largest != found {
                            result = Err(TestCaseError::fail(alloc::format!(
                                "{what}: scanned {} vs {}", f64::from_bits(largest), f64::from_bits(found)
                            )));
                        }
                    },
                );
                result?;
            }
        }
    }
}
