//! Shape rules: which inputs each layer takes, and the rules on sizes that need arithmetic.
//!
//! # Rules checked by `cargo check`
//!
//! Whether a layer takes an input is a trait bound: [`LinearInput`] says which arrays a
//! `Linear<IN, OUT, F>` takes, [`FlattenInput`] and [`ChannelsInput`] which arrays the
//! flattening layers take. A mis-wired model is an unmet bound, reported by `cargo check`,
//! rust-analyzer and `cargo build` alike, in one line that names the layer and the input.
//!
//! # Rules checked when code is generated
//!
//! Some rules need arithmetic on sizes: an `R x C` image flattens into `N` features only when
//! `R * C == N`, and a layer of zero inputs or outputs, a `Flatten<0>` or a batch of zero
//! samples is meaningless. Stable Rust cannot compute with const generics in a trait bound
//! (no `[F; R * C]`, no `where R * C == N`), and carrying a size into the type level with
//! `typenum` needs one impl per number: typenum's own table stops at 1024 (with a few larger
//! numbers), and a table up to 65,536 takes rustc eleven minutes to check for overlap. So these
//! rules are associated constants ([`FlattenSizes`], [`ChannelsSizes`], [`NonZeroWidths`],
//! [`NonEmptyBatch`]) that the layers evaluate. They hold for every size a program can write;
//! a broken one is a compile error of `cargo build` (`error[E0080]`, naming the rule and the
//! sizes), which `cargo check` does not report because it generates no code.
//!
//! ```compile_fail,E0080
//! use typed_nn::prelude::*;
//! // An 8 x 8 image has 64 pixels, not 63: `cargo build` stops with
//! // "evaluation panicked: cannot flatten: rows x columns must equal N in `Flatten<N>`".
//! let net = (Flatten::<63>, Linear::<63, 10>::ZERO);
//! let _ = net.infer(&[[0.0f32; 8]; 8]);
//! ```

use crate::float::Float;
use crate::tensor::Tensor;

/// An input that `Linear<IN, OUT, F>` takes: one sample `[F; IN]` or a batch `[[F; IN]; B]`.
///
/// ```
/// use typed_nn::shape::LinearInput;
/// fn takes<X: LinearInput<3, 2, f32>>() -> usize {
///     X::BATCH
/// }
/// assert_eq!(takes::<[f32; 3]>(), 1);
/// assert_eq!(takes::<[[f32; 3]; 8]>(), 8);
/// ```
#[diagnostic::on_unimplemented(
    message = "shape mismatch: `Linear<{IN}, {OUT}, {F}>` cannot take input `{Self}`",
    label = "`Linear<{IN}, {OUT}, {F}>` takes `[{F}; {IN}]` or a batch `[[{F}; {IN}]; B]`"
)]
pub trait LinearInput<const IN: usize, const OUT: usize, F: Float>: Tensor<Elem = F> {
    /// The layer's output for this input: `[F; OUT]` or `[[F; OUT]; B]`.
    type Output: Tensor<Elem = F>;
    /// The number of samples.
    const BATCH: usize;
    /// Evaluating it checks that a batch is not empty ([`NonEmptyBatch`]).
    const NOT_EMPTY: ();
}

#[diagnostic::do_not_recommend]
impl<F: Float, const IN: usize, const OUT: usize> LinearInput<IN, OUT, F> for [F; IN] {
    type Output = [F; OUT];
    const BATCH: usize = 1;
    const NOT_EMPTY: () = ();
}

#[diagnostic::do_not_recommend]
impl<F: Float, const IN: usize, const OUT: usize, const B: usize> LinearInput<IN, OUT, F>
    for [[F; IN]; B]
{
    type Output = [[F; OUT]; B];
    const BATCH: usize = B;
    // One constant for every layer of the model, so that an empty batch is one error.
    const NOT_EMPTY: () = NonEmptyBatch::<B>::HOLD;
}

/// An input that `Flatten<N>` takes: one `R x C` sample `[[F; C]; R]` or a batch of them
/// `[[[F; C]; R]; B]`, with `R * C == N` (checked by [`FlattenSizes`]).
#[diagnostic::on_unimplemented(
    message = "shape mismatch: `Flatten<{N}>` cannot take input `{Self}`",
    label = "`Flatten<{N}>` takes an image `[[F; C]; R]` or a batch of them, with R * C == {N}",
    note = "for an image with channels, `[[[F; C]; R]; D]`, use `FlattenChannels<N>`"
)]
pub trait FlattenInput<const N: usize>: Tensor {
    /// The flattened sample or batch: `[F; N]` or `[[F; N]; B]`.
    type Output: Tensor<Elem = Self::Elem>;
    /// Evaluating it checks the rule; its value is the number of samples.
    const CHECKED_BATCH: usize;
}

#[diagnostic::do_not_recommend]
impl<F: Float, const R: usize, const C: usize, const N: usize> FlattenInput<N> for [[F; C]; R] {
    type Output = [F; N];
    #[rustfmt::skip]
    const CHECKED_BATCH: usize = {
        assert!(N > 0, "`Flatten<0>` has no features: N must be at least 1");
        assert!(product_is(R, C, 1, N), "cannot flatten: rows x columns must equal N in `Flatten<N>` (for channels, use `FlattenChannels<N>`)");
        1
    };
}

#[diagnostic::do_not_recommend]
impl<F: Float, const R: usize, const C: usize, const N: usize, const B: usize> FlattenInput<N>
    for [[[F; C]; R]; B]
{
    type Output = [[F; N]; B];
    #[rustfmt::skip]
    const CHECKED_BATCH: usize = {
        assert!(N > 0, "`Flatten<0>` has no features: N must be at least 1");
        assert!(product_is(R, C, 1, N), "cannot flatten: rows x columns must equal N in `Flatten<N>` (for channels, use `FlattenChannels<N>`)");
        assert!(B > 0, "a batch of 0 samples: B must be at least 1");
        B
    };
}

/// An input that `FlattenChannels<N>` takes: one `D x R x C` image `[[[F; C]; R]; D]` (channels,
/// rows, columns: PyTorch's layout) or a batch of them, with `D * R * C == N` (checked by
/// [`ChannelsSizes`]).
#[diagnostic::on_unimplemented(
    message = "shape mismatch: `FlattenChannels<{N}>` cannot take input `{Self}`",
    label = "`FlattenChannels<{N}>` takes an image `[[[F; C]; R]; D]` or a batch of them, with D * R * C == {N}",
    note = "for an image without channels, `[[F; C]; R]`, use `Flatten<N>`"
)]
pub trait ChannelsInput<const N: usize>: Sized {
    /// The scalar type.
    type Elem: Float;
    /// The flattened sample or batch: `[F; N]` or `[[F; N]; B]`.
    type Output: Tensor<Elem = Self::Elem>;
    /// Evaluating it checks the rule; its value is the number of samples.
    const CHECKED_BATCH: usize;
    /// All scalars in row-major order.
    fn flat(&self) -> &[Self::Elem];
    /// All scalars in row-major order, mutable.
    fn flat_mut(&mut self) -> &mut [Self::Elem];
}

#[diagnostic::do_not_recommend]
impl<F: Float, const D: usize, const R: usize, const C: usize, const N: usize> ChannelsInput<N>
    for [[[F; C]; R]; D]
{
    type Elem = F;
    type Output = [F; N];
    #[rustfmt::skip]
    const CHECKED_BATCH: usize = {
        assert!(N > 0, "`FlattenChannels<0>` has no features: N must be at least 1");
        assert!(product_is(D, R, C, N), "cannot flatten: channels x rows x columns must equal N in `FlattenChannels<N>`");
        1
    };
    fn flat(&self) -> &[F] {
        self.as_flattened().as_flattened()
    }
    fn flat_mut(&mut self) -> &mut [F] {
        self.as_flattened_mut().as_flattened_mut()
    }
}

#[diagnostic::do_not_recommend]
impl<F: Float, const D: usize, const R: usize, const C: usize, const N: usize, const B: usize>
    ChannelsInput<N> for [[[[F; C]; R]; D]; B]
{
    type Elem = F;
    type Output = [[F; N]; B];
    const CHECKED_BATCH: usize = ChannelsSizes::<D, R, C, N>::SAMPLE * NonEmptyBatch::<B>::SAMPLES;
    fn flat(&self) -> &[F] {
        self.as_flattened().as_flattened().as_flattened()
    }
    fn flat_mut(&mut self) -> &mut [F] {
        self.as_flattened_mut()
            .as_flattened_mut()
            .as_flattened_mut()
    }
}

/// `a * b * c == n`, without overflow.
const fn product_is(a: usize, b: usize, c: usize, n: usize) -> bool {
    match a.checked_mul(b) {
        Some(ab) => matches!(ab.checked_mul(c), Some(p) if p == n),
        None => false,
    }
}

// The assertions stay on one line each: a failed one is quoted in the compiler's report. The
// inputs' constants assert directly (not through these functions), so that the report is short
// and names the input and `N` ("evaluation of `<[[f32; 8]; 8] as FlattenInput<63>>::...`").

/// 1 when an `r x c` image flattens into `n` features; stops compilation otherwise.
#[rustfmt::skip]
const fn flatten_sizes(r: usize, c: usize, n: usize) -> usize {
    assert!(n > 0, "`Flatten<0>` has no features: N must be at least 1");
    assert!(product_is(r, c, 1, n), "cannot flatten: rows x columns must equal N in `Flatten<N>` (for channels, use `FlattenChannels<N>`)");
    1
}

/// 1 when a `d x r x c` image flattens into `n` features; stops compilation otherwise.
#[rustfmt::skip]
const fn channels_sizes(d: usize, r: usize, c: usize, n: usize) -> usize {
    assert!(n > 0, "`FlattenChannels<0>` has no features: N must be at least 1");
    assert!(product_is(d, r, c, n), "cannot flatten: channels x rows x columns must equal N in `FlattenChannels<N>`");
    1
}

/// `b`, when it is not zero; stops compilation otherwise.
#[rustfmt::skip]
const fn non_empty(b: usize) -> usize {
    assert!(b > 0, "a batch of 0 samples: B must be at least 1");
    b
}

/// The rule of [`Flatten`](crate::Flatten): an `R x C` image flattens into `N` features only
/// when `R * C == N`, and `N` is not zero. Checked when code is generated (see the module docs).
pub struct FlattenSizes<const R: usize, const C: usize, const N: usize>;

#[rustfmt::skip]
impl<const R: usize, const C: usize, const N: usize> FlattenSizes<R, C, N> {
    /// 1 when the rule holds; evaluating it otherwise stops compilation.
    pub const SAMPLE: usize = flatten_sizes(R, C, N);
}

/// The rule of [`FlattenChannels`](crate::FlattenChannels): a `D x R x C` image flattens into
/// `N` features only when `D * R * C == N`, and `N` is not zero. Checked when code is
/// generated (see the module docs).
pub struct ChannelsSizes<const D: usize, const R: usize, const C: usize, const N: usize>;

#[rustfmt::skip]
impl<const D: usize, const R: usize, const C: usize, const N: usize> ChannelsSizes<D, R, C, N> {
    /// 1 when the rule holds; evaluating it otherwise stops compilation.
    pub const SAMPLE: usize = channels_sizes(D, R, C, N);
}

/// The rule of [`Linear`](crate::Linear): at least one input and one output. Checked when code
/// is generated (see the module docs).
pub struct NonZeroWidths<const IN: usize, const OUT: usize>;

#[rustfmt::skip]
impl<const IN: usize, const OUT: usize> NonZeroWidths<IN, OUT> {
    /// Evaluating it stops compilation when `IN` or `OUT` is zero.
    pub const HOLD: () = {
        assert!(IN > 0, "`Linear<0, OUT>` has no inputs: IN must be at least 1");
        assert!(OUT > 0, "`Linear<IN, 0>` has no outputs: OUT must be at least 1");
    };
}

/// The rule of every batch `[X; B]`: at least one sample. Checked when code is generated (see
/// the module docs).
pub struct NonEmptyBatch<const B: usize>;

#[rustfmt::skip]
impl<const B: usize> NonEmptyBatch<B> {
    /// Evaluating it stops compilation when `B` is zero.
    pub const HOLD: () = assert!(B > 0, "a batch of 0 samples: B must be at least 1");
    /// `B`, when it is not zero; evaluating it otherwise stops compilation.
    pub const SAMPLES: usize = non_empty(B);
}
