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
//! rules are associated constants (`CHECKED_BATCH` of [`FlattenInput`] and [`ChannelsInput`],
//! [`NonZeroWidths`], [`NonEmptyBatch`], [`SoftmaxClasses`], [`FitsOnStack`]) that the layers
//! and losses evaluate, beside one on a model and its loss together ([`AppliedTwice`]). They
//! hold for every size a program can write;
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
use crate::loss::ScoredBy;
use crate::module::{Forward, Squash};
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

// The rules' messages, one each; the assertions below stay on one line each, because a failed
// one is quoted in the compiler's report. Each input's constant asserts directly (no helper
// function), so that the report is short and names the input and `N` ("evaluation of
// `<[[f32; 8]; 8] as FlattenInput<63>>::CHECKED_BATCH` failed").
const FLATTEN_ZERO: &str = "`Flatten<0>` has no features: N must be at least 1";
const FLATTEN_SIZES: &str = "cannot flatten: rows x columns must equal N in `Flatten<N>` (for channels, use `FlattenChannels<N>`)";
const CHANNELS_ZERO: &str = "`FlattenChannels<0>` has no features: N must be at least 1";
const CHANNELS_SIZES: &str =
    "cannot flatten: channels x rows x columns must equal N in `FlattenChannels<N>`";

/// `a * b * c == n`, without overflow.
const fn product_is(a: usize, b: usize, c: usize, n: usize) -> bool {
    match a.checked_mul(b) {
        Some(ab) => matches!(ab.checked_mul(c), Some(p) if p == n),
        None => false,
    }
}

/// An input that `Flatten<N>` takes: one `R x C` sample `[[F; C]; R]` or a batch of them
/// `[[[F; C]; R]; B]`. `R * C == N` (and `N > 0`) is checked when code is generated, by
/// evaluating [`CHECKED_BATCH`](Self::CHECKED_BATCH).
#[diagnostic::on_unimplemented(
    message = "shape mismatch: `Flatten<{N}>` cannot take input `{Self}`",
    label = "`Flatten<{N}>` takes an image `[[F; C]; R]` or a batch of them, with R * C == {N}",
    note = "for an image with channels, `[[[F; C]; R]; D]`, use `FlattenChannels<N>`; flat rows `[F; N]` need no `Flatten` (leave it out, or put `Identity` in its place, as for PyTorch's `nn.Flatten` before a `Linear`)"
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
    const CHECKED_BATCH: usize = {
        assert!(N > 0, "{}", FLATTEN_ZERO);
        assert!(product_is(R, C, 1, N), "{}", FLATTEN_SIZES);
        1
    };
}

#[diagnostic::do_not_recommend]
impl<F: Float, const R: usize, const C: usize, const N: usize, const B: usize> FlattenInput<N>
    for [[[F; C]; R]; B]
{
    type Output = [[F; N]; B];
    const CHECKED_BATCH: usize = {
        assert!(N > 0, "{}", FLATTEN_ZERO);
        assert!(product_is(R, C, 1, N), "{}", FLATTEN_SIZES);
        let () = NonEmptyBatch::<B>::HOLD;
        B
    };
}

/// An input that `FlattenChannels<N>` takes: one `D x R x C` image `[[[F; C]; R]; D]` (channels,
/// rows, columns: PyTorch's layout) or a batch of them. `D * R * C == N` (and `N > 0`) is
/// checked when code is generated, by evaluating [`CHECKED_BATCH`](Self::CHECKED_BATCH).
#[diagnostic::on_unimplemented(
    message = "shape mismatch: `FlattenChannels<{N}>` cannot take input `{Self}`",
    label = "`FlattenChannels<{N}>` takes an image `[[[F; C]; R]; D]` or a batch of them, with D * R * C == {N}",
    note = "for an image without channels, `[[F; C]; R]`, use `Flatten<N>`"
)]
pub trait ChannelsInput<const N: usize>: Tensor {
    /// The flattened sample or batch: `[F; N]` or `[[F; N]; B]`.
    type Output: Tensor<Elem = Self::Elem>;
    /// Evaluating it checks the rule; its value is the number of samples.
    const CHECKED_BATCH: usize;
}

#[diagnostic::do_not_recommend]
impl<F: Float, const D: usize, const R: usize, const C: usize, const N: usize> ChannelsInput<N>
    for [[[F; C]; R]; D]
{
    type Output = [F; N];
    const CHECKED_BATCH: usize = {
        assert!(N > 0, "{}", CHANNELS_ZERO);
        assert!(product_is(D, R, C, N), "{}", CHANNELS_SIZES);
        1
    };
}

#[diagnostic::do_not_recommend]
impl<F: Float, const D: usize, const R: usize, const C: usize, const N: usize, const B: usize>
    ChannelsInput<N> for [[[[F; C]; R]; D]; B]
{
    type Output = [[F; N]; B];
    const CHECKED_BATCH: usize = {
        assert!(N > 0, "{}", CHANNELS_ZERO);
        assert!(product_is(D, R, C, N), "{}", CHANNELS_SIZES);
        let () = NonEmptyBatch::<B>::HOLD;
        B
    };
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
    /// Evaluating it stops compilation when `B` is zero. Every layer checks the same constant,
    /// so an empty batch is one error for a whole model.
    pub const HOLD: () = assert!(B > 0, "a batch of 0 samples: B must be at least 1");
}

/// Bytes a model, or a trainer's working memory, may have when built by value: 1 MiB. A
/// value is built on the stack before it moves anywhere, and a thread's stack is 2 MiB (8 MiB
/// for a program's main thread), less in debug builds, where values are copied on the way.
/// Larger ones are built in place on the heap: [`boxed::zeroed`](crate::boxed::zeroed),
/// `Trainer::boxed`, `Adam::boxed`, `SgdMomentum::boxed`.
pub const MAX_STACK_BYTES: usize = 1 << 20;

/// The rule of every value built by value (`ZERO`, `glorot`, `Trainer::new`, `Adam::new`):
/// at most [`MAX_STACK_BYTES`]. Checked when code is generated (see the module docs), so
/// that a model far too large for the stack stops the build instead of the program.
///
/// The bound is on one value. A program holds more than one on its stack: a constructor that
/// returns by value may keep a copy, and a trainer's buffers sit beside the model. On a thread
/// of std's default 2 MiB, a model near the bound (`Linear<512, 511>`, 1 MiB, from `glorot`)
/// can still overflow, as can half of it with a trainer in a debug build: put models of more
/// than a few hundred KiB on the heap there, or give the thread a larger stack.
///
/// A `static` built from `ZERO` is checked too, though it never sits on the stack.
/// `Linear::from_parts` and [`ConstImage`](crate::io::ConstImage), which build a layer from
/// its values, do not check the size.
pub struct FitsOnStack<T>(core::marker::PhantomData<T>);

/// The message of [`FitsOnStack`].
const TOO_LARGE: &str = "larger than 1 MiB, too large to build on the stack: use typed_nn::boxed::zeroed(), Trainer::boxed and Adam::boxed or SgdMomentum::boxed (for a `static`, which `ZERO` builds as if on the stack: Linear::from_parts or io::ConstImage)";

#[rustfmt::skip]
impl<T> FitsOnStack<T> {
    /// Evaluating it stops compilation when `T` is larger than [`MAX_STACK_BYTES`].
    pub const HOLD: () = assert!(core::mem::size_of::<T>() <= MAX_STACK_BYTES, "{}", TOO_LARGE);
}

/// The rule of [`SoftmaxCrossEntropy`](crate::SoftmaxCrossEntropy) on predictions `P`: at
/// least two scores a sample. The softmax of one score is 1, so the loss would be 0 and its
/// gradient 0 whatever the model predicts, and training would silently learn nothing. Checked
/// when code is generated (see the module docs).
///
/// ```compile_fail,E0080
/// use typed_nn::prelude::*;
/// // "evaluation panicked: softmax cross-entropy of one score a sample ..."
/// let _ = SoftmaxCrossEntropy.loss(&[0.5f32], &0);
/// ```
pub struct SoftmaxClasses<P>(core::marker::PhantomData<P>);

/// The message of [`SoftmaxClasses`].
const SOFTMAX_OF_ONE: &str = "softmax cross-entropy of one score a sample: its loss is 0 whatever the model predicts; give the last layer one output per class, or score one logit with `BinaryCrossEntropy`";

#[rustfmt::skip]
impl<P: Tensor> SoftmaxClasses<P> {
    /// Evaluating it stops compilation when a sample of `P` has fewer than two scores.
    pub const HOLD: () = assert!(P::ROW > 1, "{}", SOFTMAX_OF_ONE);
}

/// The rule of a trainer's model `M` on input `X` and loss `L` with target `T` (and of
/// [`eval::mean_loss`](crate::eval::mean_loss)'s): the model does not end in the function the
/// loss applies itself. [`SoftmaxCrossEntropy`] applies a
/// softmax to the model's scores, so a model ending in [`Softmax`](crate::Softmax) would be
/// scored on the softmax of probabilities, which hardly moves, and learn slowly or not at
/// all; [`BinaryCrossEntropy`] applies a sigmoid, so a model ending in
/// [`Sigmoid`](crate::Sigmoid) would be scored on `sigmoid(sigmoid(z))`, never below 0.5, and
/// learn to call every sample positive. A model that ends in the other of the two is refused
/// too: a cross-entropy takes the last `Linear`'s scores, and squashed into (0, 1) first
/// they leave `SoftmaxCrossEntropy` a loss that cannot fall below `-ln(e / (e + C - 1))`
/// (0.55 for 3 classes), or every `sigmoid(softmax(z))` of `BinaryCrossEntropy` at least
/// 0.5. So is a model ending in [`ReLU`](crate::ReLU) trained with `BinaryCrossEntropy`:
/// its logits are never negative, and every probability at least 0.5 (a ReLU after a sigmoid
/// or a softmax leaves the probabilities as they are, and is refused as they are). Checked
/// when code is generated (see the module docs).
///
/// ```compile_fail,E0080
/// use typed_nn::prelude::*;
/// let mut net = (Linear::<4, 3>::ZERO, Softmax);
/// let mut trainer = Trainer::new(Sgd::new(0.1));
/// // "evaluation panicked: the model ends in `Softmax`, and `SoftmaxCrossEntropy` ..."
/// let _ = trainer.step(&mut net, &[0.0f32; 4], &1, &SoftmaxCrossEntropy);
/// ```
///
/// [`SoftmaxCrossEntropy`]: crate::SoftmaxCrossEntropy
/// [`BinaryCrossEntropy`]: crate::BinaryCrossEntropy
pub struct AppliedTwice<M, X, L, T>(core::marker::PhantomData<fn(M, X, L, T)>);

/// The messages of [`AppliedTwice`].
const SOFTMAX_TWICE: &str = "the model ends in `Softmax`, and `SoftmaxCrossEntropy` applies its own softmax: it would score softmax(softmax(z)), a loss that is not the model's and that it hardly learns from; end the model in its last `Linear` (the scores) and apply `Softmax` at inference";
const SIGMOID_TWICE: &str = "the model ends in `Sigmoid`, and `BinaryCrossEntropy` applies its own sigmoid: it would score sigmoid(sigmoid(z)), never below 0.5, and call every sample positive; end the model in its last `Linear` (the logit) and apply the sigmoid at inference";

const SIGMOID_BEFORE_SOFTMAX: &str = "the model ends in `Sigmoid`, and `SoftmaxCrossEntropy` applies a softmax to the model's scores: it would score softmax(sigmoid(z)), whose inputs all lie in (0, 1), so that no class's probability passes e / (e + C - 1) (0.58 for 3 classes) and the loss stays high; end the model in its last `Linear` (the scores) and apply `Softmax` at inference";
const SOFTMAX_BEFORE_SIGMOID: &str = "the model ends in `Softmax`, and `BinaryCrossEntropy` applies a sigmoid to the model's logits: it would score sigmoid(softmax(z)), at least 0.5 for every output, and call every sample positive; end the model in its last `Linear` (the logits) and apply the sigmoid at inference";

const RELU_BEFORE_SIGMOID: &str = "the model ends in `ReLU`, and `BinaryCrossEntropy` applies a sigmoid to the model's logits: a ReLU's outputs are never negative, so every probability would be at least 0.5 and every sample called positive (and a negative sample's gradient stops at the ReLU's zero); end the model in its last `Linear` (the logit) and apply the sigmoid at inference";

impl<M: Forward<X>, X, L, T> AppliedTwice<M, X, L, T>
where
    M::Output: ScoredBy<L, T>,
{
    /// Evaluating it stops compilation when the model ends in the function the loss applies,
    /// or in the other of the two.
    pub const HOLD: () = match (M::SQUASH, <M::Output as ScoredBy<L, T>>::SQUASH) {
        (Squash::Softmax, Squash::Softmax) => panic!("{}", SOFTMAX_TWICE),
        (Squash::Sigmoid, Squash::Sigmoid) => panic!("{}", SIGMOID_TWICE),
        (Squash::Sigmoid, Squash::Softmax) => panic!("{}", SIGMOID_BEFORE_SOFTMAX),
        (Squash::Softmax, Squash::Sigmoid) => panic!("{}", SOFTMAX_BEFORE_SIGMOID),
        (Squash::Rectified, Squash::Sigmoid) => panic!("{}", RELU_BEFORE_SIGMOID),
        _ => (),
    };
}

/// What [`Trainer::epoch`](crate::train::Trainer::epoch) and `fit` take a slice of: one
/// sample, `[F; N]`, an image `[[F; C]; R]` or an image with channels `[[[F; C]; R]; D]`. A
/// trainer whose input type is a sample rather than a batch of them makes a single float its
/// sample, which this rule names (instead of a mismatch between the data and a slice of
/// floats).
///
/// ```compile_fail,E0277
/// use typed_nn::prelude::*;
/// let mut net = Linear::<4, 3>::ZERO;
/// let (mut xs, mut ts) = (vec![[0.0f32; 4]; 8], vec![0usize; 8]);
/// // The batch type is `[[f32; 4]; B]`; `[f32; 4]` is one sample.
/// let mut trainer = Trainer::<Linear<4, 3>, [f32; 4], _>::new(Sgd::new(0.1));
/// trainer.epoch(&mut net, &xs, &ts, &SoftmaxCrossEntropy);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a sample: the trainer's input type must be a batch of samples for `epoch` and `fit`",
    label = "a slice of samples is expected here",
    note = "name the batch in the trainer's type: `Trainer::<Net, [[f32; 4]; 32], _>` trains on batches of 32 samples of 4 features, where `[f32; 4]` would be one sample"
)]
pub trait Sample: Copy {}

impl<F: Float, const N: usize> Sample for [F; N] {}
impl<F: Float, const C: usize, const R: usize> Sample for [[F; C]; R] {}
impl<F: Float, const C: usize, const R: usize, const D: usize> Sample for [[[F; C]; R]; D] {}
