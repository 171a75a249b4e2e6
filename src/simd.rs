//! Vectors of floats for the matrix kernels: one interface, implemented with AVX-512 and AVX2
//! intrinsics on x86-64 and as a plain scalar everywhere.
//!
//! The x86 types may only be used inside code that `kernels::dispatch!` compiled for an
//! instruction set the CPU was found to have; every method is inlined into that code.

use crate::float::Float;
use crate::tensor::Zero;

/// A vector of `N` floats.
///
/// # Safety
/// Implementations read and write `N` values through raw pointers; callers pass pointers valid
/// for `N` elements, and use vector types only on CPUs that have their instructions.
pub unsafe trait Lanes: Copy {
    /// The scalar type.
    type Elem: Float;
    /// Number of lanes.
    const N: usize;
    /// All lanes zero.
    fn zero() -> Self;
    /// All lanes `v`.
    fn splat(v: Self::Elem) -> Self;
    /// Loads `N` values from `p` (no alignment needed).
    ///
    /// # Safety
    /// `p` is valid for reading `N` values.
    unsafe fn load(p: *const Self::Elem) -> Self;
    /// Stores the lanes at `p`.
    ///
    /// # Safety
    /// `p` is valid for writing `N` values.
    unsafe fn store(self, p: *mut Self::Elem);
    /// `a * b + c`, fused where the instruction set has it.
    fn mul_add(a: Self, b: Self, c: Self) -> Self;
    /// `a + b`.
    fn add(a: Self, b: Self) -> Self;
    /// The sum of the lanes.
    fn sum(self) -> Self::Elem;
    /// `max(|self|, acc)` lane by lane. A NaN lane of `self` may be dropped: a scan that must
    /// see NaNs also adds `self * 0` into a sum, which a NaN or an infinity makes NaN.
    fn abs_max(self, acc: Self) -> Self;
    /// The vector whose lane `c` is the sum of `vectors[c]`'s lanes, for `N` vectors: the
    /// sums of `N` dot products at once. `N` calls of [`sum`](Self::sum) unless the vector
    /// type has a shorter way (AVX2's eight `f32`, the only type a kernel calls it for).
    ///
    /// # Panics
    /// When `vectors` does not hold exactly `N` vectors.
    #[inline(always)]
    fn sums(vectors: &[Self]) -> Self {
        assert_eq!(vectors.len(), Self::N, "one vector per lane");
        let mut lanes = [Self::Elem::ZERO; 64];
        for (lane, v) in lanes.iter_mut().zip(vectors) {
            *lane = v.sum();
        }
        // SAFETY: the buffer holds 64 >= N values.
        unsafe { Self::load(lanes.as_ptr()) }
    }
    /// Copies the `N x N` block at `src` (rows `src_row` apart) transposed to `dst` (rows
    /// `dst_row` apart): `dst[q * dst_row + r] = src[r * src_row + q]`. One value at a time
    /// unless the vector type has a faster way.
    ///
    /// # Safety
    /// Both blocks are valid for `N` rows of `N` values, and do not overlap.
    #[inline(always)]
    unsafe fn transpose(
        src: *const Self::Elem,
        src_row: usize,
        dst: *mut Self::Elem,
        dst_row: usize,
    ) {
        for r in 0..Self::N {
            for q in 0..Self::N {
                // SAFETY: r, q < N.
                unsafe { *dst.add(q * dst_row + r) = *src.add(r * src_row + q) };
            }
        }
    }
}

/// Asks the processor to bring the cache line holding `p` into the first-level cache, ahead
/// of its use; nothing where the target has no such hint.
#[cfg_attr(not(feature = "alloc"), allow(dead_code))]
#[inline(always)]
pub(crate) fn prefetch<T>(p: *const T) {
    // SAFETY: a prefetch never faults, whatever the address.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p.cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// One float: the portable "vector".
#[derive(Clone, Copy)]
pub struct Scalar<F>(F);

// SAFETY: reads and writes exactly one value.
unsafe impl<F: Float> Lanes for Scalar<F> {
    type Elem = F;
    const N: usize = 1;
    #[inline(always)]
    fn zero() -> Self {
        Scalar(F::ZERO)
    }
    #[inline(always)]
    fn splat(v: F) -> Self {
        Scalar(v)
    }
    #[inline(always)]
    unsafe fn load(p: *const F) -> Self {
        // SAFETY: the caller guarantees `p` is readable.
        Scalar(unsafe { *p })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut F) {
        // SAFETY: the caller guarantees `p` is writable.
        unsafe { *p = self.0 }
    }
    #[inline(always)]
    fn mul_add(a: Self, b: Self, c: Self) -> Self {
        Scalar(a.0 * b.0 + c.0)
    }
    #[inline(always)]
    fn add(a: Self, b: Self) -> Self {
        Scalar(a.0 + b.0)
    }
    #[inline(always)]
    fn sum(self) -> F {
        self.0
    }
    #[inline(always)]
    fn abs_max(self, acc: Self) -> Self {
        let magnitude = self.0.abs();
        Scalar(if magnitude > acc.0 { magnitude } else { acc.0 })
    }
}

/// The vector types a float has on this target: `Wide` for AVX-512, `Mid` for AVX2 (both
/// `Scalar` off x86-64, where they are never selected).
pub trait HasLanes: Sized {
    /// 512-bit vectors.
    type Wide: Lanes<Elem = Self>;
    /// 256-bit vectors.
    type Mid: Lanes<Elem = Self>;
}

#[cfg(not(target_arch = "x86_64"))]
mod portable_only {
    use super::{HasLanes, Scalar};
    impl HasLanes for f32 {
        type Wide = Scalar<f32>;
        type Mid = Scalar<f32>;
    }
    impl HasLanes for f64 {
        type Wide = Scalar<f64>;
        type Mid = Scalar<f64>;
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{HasLanes, Lanes};
    use core::arch::x86_64::*;

    impl HasLanes for f32 {
        type Wide = F32x16;
        type Mid = F32x8;
    }
    impl HasLanes for f64 {
        type Wide = F64x8;
        type Mid = F64x4;
    }

    /// Implements [`Lanes`] for one intrinsic vector type. Each method is a single intrinsic
    /// (the sums a short sequence), always inlined into kernels compiled for its features.
    macro_rules! lanes {
        ($name:ident, $vec:ty, $elem:ty, $n:expr, $zero:ident, $splat:ident, $load:ident,
         $store:ident, $fma:ident, $add:ident, |$v:ident| $sum:block,
         abs_max: |$x:ident, $acc:ident| $abs_max:block
         $(, sums: |$vs:ident| $sums:block)?
         $(, transpose: |$src:ident, $src_row:ident, $dst:ident, $dst_row:ident| $transpose:block)?) => {
            /// A vector register of floats.
            #[derive(Clone, Copy)]
            pub struct $name($vec);

            // SAFETY: loads and stores exactly `N` values; constructed only in kernels that
            // `dispatch!` selected for a CPU with these instructions.
            unsafe impl Lanes for $name {
                type Elem = $elem;
                const N: usize = $n;
                #[inline(always)]
                fn zero() -> Self {
                    // SAFETY: see the impl.
                    $name(unsafe { $zero() })
                }
                #[inline(always)]
                fn splat(v: $elem) -> Self {
                    // SAFETY: see the impl.
                    $name(unsafe { $splat(v) })
                }
                #[inline(always)]
                unsafe fn load(p: *const $elem) -> Self {
                    // SAFETY: the caller guarantees `N` readable values.
                    $name(unsafe { $load(p) })
                }
                #[inline(always)]
                unsafe fn store(self, p: *mut $elem) {
                    // SAFETY: the caller guarantees `N` writable values.
                    unsafe { $store(p, self.0) }
                }
                #[inline(always)]
                fn mul_add(a: Self, b: Self, c: Self) -> Self {
                    // SAFETY: see the impl.
                    $name(unsafe { $fma(a.0, b.0, c.0) })
                }
                #[inline(always)]
                fn add(a: Self, b: Self) -> Self {
                    // SAFETY: see the impl.
                    $name(unsafe { $add(a.0, b.0) })
                }
                #[inline(always)]
                fn sum(self) -> $elem {
                    let $v = self.0;
                    // SAFETY: see the impl.
                    unsafe { $sum }
                }
                #[inline(always)]
                fn abs_max(self, acc: Self) -> Self {
                    let ($x, $acc) = (self.0, acc.0);
                    // SAFETY: see the impl.
                    $name(unsafe { $abs_max })
                }
                $(
                #[inline(always)]
                fn sums(vectors: &[Self]) -> Self {
                    let $vs: [$vec; $n] = core::array::from_fn(|c| vectors[c].0);
                    // SAFETY: see the impl.
                    $name(unsafe { $sums })
                }
                )?
                $(
                #[inline(always)]
                unsafe fn transpose(
                    $src: *const $elem,
                    $src_row: usize,
                    $dst: *mut $elem,
                    $dst_row: usize,
                ) {
                    // SAFETY: the caller guarantees both blocks; the instructions are this
                    // type's.
                    unsafe { $transpose }
                }
                )?
            }
        };
    }

    lanes!(
        F32x16,
        __m512,
        f32,
        16,
        _mm512_setzero_ps,
        _mm512_set1_ps,
        _mm512_loadu_ps,
        _mm512_storeu_ps,
        _mm512_fmadd_ps,
        _mm512_add_ps,
        |v| { _mm512_reduce_add_ps(v) },
        abs_max: |x, acc| { _mm512_max_ps(_mm512_abs_ps(x), acc) }
    );
    lanes!(
        F64x8,
        __m512d,
        f64,
        8,
        _mm512_setzero_pd,
        _mm512_set1_pd,
        _mm512_loadu_pd,
        _mm512_storeu_pd,
        _mm512_fmadd_pd,
        _mm512_add_pd,
        |v| { _mm512_reduce_add_pd(v) },
        abs_max: |x, acc| { _mm512_max_pd(_mm512_abs_pd(x), acc) }
    );
    lanes!(
        F32x8,
        __m256,
        f32,
        8,
        _mm256_setzero_ps,
        _mm256_set1_ps,
        _mm256_loadu_ps,
        _mm256_storeu_ps,
        _mm256_fmadd_ps,
        _mm256_add_ps,
        |v| {
            let pair = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
            let quad = _mm_add_ps(pair, _mm_movehl_ps(pair, pair));
            _mm_cvtss_f32(_mm_add_ss(quad, _mm_shuffle_ps::<1>(quad, quad)))
        },
        abs_max: |x, acc| { _mm256_max_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0), x), acc) },
        sums: |v| {
            // Pairs, then quadruples, within each half; then the two halves added.
            let h: [__m256; 4] = core::array::from_fn(|i| _mm256_hadd_ps(v[2 * i], v[2 * i + 1]));
            let (low4, high4) = (_mm256_hadd_ps(h[0], h[1]), _mm256_hadd_ps(h[2], h[3]));
            _mm256_add_ps(
                _mm256_permute2f128_ps::<0x20>(low4, high4),
                _mm256_permute2f128_ps::<0x31>(low4, high4),
            )
        },
        transpose: |src, src_row, dst, dst_row| {
            let r: [__m256; 8] = core::array::from_fn(|i| _mm256_loadu_ps(src.add(i * src_row)));
            // Pairs of rows interleaved, then quarters of columns, then halves.
            let t: [__m256; 8] = core::array::from_fn(|i| {
                let (a, b) = (r[i / 2 * 2], r[i / 2 * 2 + 1]);
                if i % 2 == 0 { _mm256_unpacklo_ps(a, b) } else { _mm256_unpackhi_ps(a, b) }
            });
            let u: [__m256; 8] = core::array::from_fn(|i| {
                let (a, b) = (t[i / 4 * 4 + i % 4 / 2], t[i / 4 * 4 + i % 4 / 2 + 2]);
                if i % 2 == 0 {
                    _mm256_shuffle_ps::<0x44>(a, b)
                } else {
                    _mm256_shuffle_ps::<0xEE>(a, b)
                }
            });
            for q in 0..4 {
                _mm256_storeu_ps(dst.add(q * dst_row), _mm256_permute2f128_ps::<0x20>(u[q], u[q + 4]));
                _mm256_storeu_ps(
                    dst.add((q + 4) * dst_row),
                    _mm256_permute2f128_ps::<0x31>(u[q], u[q + 4]),
                );
            }
        }
    );
    lanes!(
        F64x4,
        __m256d,
        f64,
        4,
        _mm256_setzero_pd,
        _mm256_set1_pd,
        _mm256_loadu_pd,
        _mm256_storeu_pd,
        _mm256_fmadd_pd,
        _mm256_add_pd,
        |v| {
            let pair = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
            _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)))
        },
        abs_max: |x, acc| { _mm256_max_pd(_mm256_andnot_pd(_mm256_set1_pd(-0.0), x), acc) },
        transpose: |src, src_row, dst, dst_row| {
            let r: [__m256d; 4] = core::array::from_fn(|i| _mm256_loadu_pd(src.add(i * src_row)));
            let t = [
                _mm256_unpacklo_pd(r[0], r[1]),
                _mm256_unpackhi_pd(r[0], r[1]),
                _mm256_unpacklo_pd(r[2], r[3]),
                _mm256_unpackhi_pd(r[2], r[3]),
            ];
            _mm256_storeu_pd(dst, _mm256_permute2f128_pd::<0x20>(t[0], t[2]));
            _mm256_storeu_pd(dst.add(dst_row), _mm256_permute2f128_pd::<0x20>(t[1], t[3]));
            _mm256_storeu_pd(dst.add(2 * dst_row), _mm256_permute2f128_pd::<0x31>(t[0], t[2]));
            _mm256_storeu_pd(dst.add(3 * dst_row), _mm256_permute2f128_pd::<0x31>(t[1], t[3]));
        }
    );
}
