//! Training loop helpers: one optimisation step, one epoch over a data set, shuffling, and
//! classification metrics.

use core::borrow::Borrow;
use core::fmt;
use core::marker::PhantomData;
use core::ops::ControlFlow;

use rand::RngExt;

use crate::float::Float;
use crate::footprint::Footprint;
use crate::init::Generator;
use crate::loss::{ScoredBy, TargetError};
use crate::module::{Backward, Forward, ParamCount, Pass};
use crate::optim::{CheckedOptimizer, Optimizer, StepError};
use crate::tensor::{Tensor, Zero};

mod batch;
pub use batch::Batch;

/// Why training stopped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TrainError {
    /// The loss was NaN or infinite at step `step`: the learning rate is too high, or the
    /// inputs, targets or weights are so large that it overflows (a NaN or an infinity in the
    /// data is [`NonFiniteInput`](Self::NonFiniteInput), a class index out of range
    /// [`Target`](Self::Target)). The model was left as it was before that step.
    NonFiniteLoss {
        /// The step (counted from 1) at which it happened.
        step: u64,
        /// Updates applied before it ([`Trainer::updates`]): with none, the learning rate
        /// cannot be the cause.
        updates: u64,
        /// The loss value.
        loss: f64,
    },
    /// A sample holds a NaN or an infinity, found where its loss was not finite (and, by
    /// [`Trainer::fit`], before the first step): the model was left as it was before that
    /// step. Every input must be a finite number: a missing value, read or computed as NaN,
    /// must be filled in or its sample dropped before training.
    NonFiniteInput {
        /// The step (counted from 1) at which it was met, or, found by the check of the whole
        /// data set that [`Trainer::epoch`] and `fit` make first, the step that would have
        /// met it (in the order given: `fit` shuffles later).
        step: u64,
        /// Found by that check, before any step ran: nothing was trained.
        before_training: bool,
        /// The sample: in [`Trainer::epoch`] and `fit` its index in the data set as passed,
        /// in [`Trainer::step`] its index in the batch (0 for a single sample).
        sample: usize,
        /// Where the value sits in the sample, counted in row-major order.
        feature: usize,
        /// The value.
        value: f64,
    },
    /// Inputs and targets of different lengths were given.
    LengthMismatch {
        /// The number of inputs.
        inputs: usize,
        /// The number of targets.
        targets: usize,
    },
    /// The optimizer refused the update (a hyperparameter out of range, or a gradient that is
    /// not finite or would overflow the update): the model and the optimizer's state are as
    /// they were before that step.
    Refused {
        /// The step (counted from 1).
        step: u64,
        /// Updates applied before it ([`Trainer::updates`]).
        updates: u64,
        /// Why.
        error: StepError,
    },
    /// A target the loss is not defined for: nothing was computed.
    Target {
        /// The step (counted from 1), or, found by the check of the whole data set that
        /// [`Trainer::epoch`] and `fit` make first, the step that would have met it (in the
        /// order given: `fit` shuffles later).
        step: u64,
        /// Found by that check, before any step ran: nothing was trained.
        before_training: bool,
        /// Which value, and why.
        error: TargetError,
    },
    /// An epoch was asked of a data set with fewer samples than one batch (or of none).
    SmallerThanBatch {
        /// The number of samples given.
        samples: usize,
        /// The batch size of the trainer.
        batch: usize,
    },
    /// An epoch's last batch would be partial, and the model's output does not hold one row
    /// per sample (a layer mixes the samples), so the rows that pad the batch cannot be left
    /// out of the gradient. Nothing was computed.
    PartialBatch {
        /// The number of samples given.
        samples: usize,
        /// The batch size of the trainer.
        batch: usize,
        /// Rows of the model's output for one batch.
        rows: usize,
    },
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Before any update (at the first step, or after refused ones only) the learning
            // rate is not the cause. Inputs that are not finite have their own error: here
            // they are finite.
            TrainError::NonFiniteLoss {
                step,
                updates: 0,
                loss,
            } => write!(
                f,
                "loss is {loss} at step {step}, before any update: the model's weights hold a NaN or an infinity, or the inputs, targets or weights are so large that the loss overflows"
            ),
            TrainError::NonFiniteLoss {
                step,
                updates,
                loss,
            } => write!(
                f,
                "loss is {loss} at step {step}, after {}: training diverged (lower the learning rate), or this step's inputs or targets are so large that the loss overflows",
                plural(*updates, "update")
            ),
            TrainError::NonFiniteInput {
                step,
                before_training,
                sample,
                feature,
                value,
            } => {
                when(f, *step, *before_training)?;
                write!(
                    f,
                    "input sample {sample} holds {value} at feature {feature}; every input must be a finite number (fill in or drop missing values before training)"
                )
            }
            TrainError::LengthMismatch { inputs, targets } => {
                write!(
                    f,
                    "{inputs} inputs but {targets} targets: each input needs one target"
                )
            }
            TrainError::Refused {
                step,
                updates,
                error,
            } => {
                write!(f, "step {step} refused, the model unchanged: {error}")?;
                // After updates, a gradient that overflowed is most often one of weights that
                // an update too large sent far out: the learning rate, not the data.
                match error {
                    StepError::Gradient { value, .. } if *updates > 0 && !value.is_finite() => {
                        write!(
                            f,
                            "; after {}, more likely training diverged: lower the learning rate",
                            plural(*updates, "update")
                        )
                    }
                    _ => Ok(()),
                }
            }
            TrainError::Target {
                step,
                before_training,
                error,
            } => {
                when(f, *step, *before_training)?;
                write!(f, "{error}")
            }
            TrainError::SmallerThanBatch { samples: 0, .. } => {
                f.write_str("the data set is empty: an epoch needs at least one sample")
            }
            TrainError::SmallerThanBatch { samples, batch } => write!(
                f,
                "{samples} samples cannot fill one batch of {batch}: use a smaller batch size"
            ),
            TrainError::PartialBatch {
                samples,
                batch,
                rows,
            } => write!(
                f,
                "{samples} samples leave a partial last batch of {batch}, and the model's output has {rows} rows for {batch} samples, so the padding cannot be left out: use a number of samples that divides into batches"
            ),
        }
    }
}

impl core::error::Error for TrainError {}

/// `1 update`, `2 updates`.
fn plural(count: u64, noun: &str) -> impl fmt::Display + '_ {
    fmt::from_fn(move |f| {
        let s = if count == 1 { "" } else { "s" };
        write!(f, "{count} {noun}{s}")
    })
}

/// How an error in the data begins: the step that met it, or the check before training.
fn when(f: &mut fmt::Formatter<'_>, step: u64, before_training: bool) -> fmt::Result {
    if before_training {
        f.write_str("in the data, checked before training (no step ran): ")
    } else {
        write!(f, "step {step}: ")
    }
}

/// The working memory of training a model `M` on inputs `X` with optimizer `O`: gradients,
/// the forward cache, and the output and its gradient. Its size is known at compile time and
/// nothing in it allocates, so it fits in a `static` on a microcontroller.
///
/// The struct itself requires nothing of `M`: the shape rules are checked by the method that
/// needs them ([`step`](Trainer::step), [`epoch`](Trainer::epoch)), so a mis-wired model is
/// one error at the call that uses it. `W` holds the forward pass's buffers; leave it to its
/// default.
///
/// A trainer belongs to one model: its optimizer's state (Adam's moments, momentum's velocity)
/// is that model's, and nothing tells the trainer which model a step is given. Two models of
/// one type each take a trainer of their own; stepping a second model with the first's
/// trainer would move it by the first's moments.
///
/// ```
/// use typed_nn::rand::{SeedableRng, rngs::SmallRng};
/// use typed_nn::{optim::Sgd, train::Trainer, Linear, Mse, Sigmoid};
/// let mut rng = SmallRng::seed_from_u64(0);
/// let mut net = (Linear::<1, 4>::glorot(&mut rng), Sigmoid, Linear::<4, 1>::glorot(&mut rng));
/// let mut trainer = Trainer::new(Sgd::new(0.5));
/// let first = trainer.step(&mut net, &[0.5], &[0.25], &Mse).unwrap();
/// let mut last = first;
/// for _ in 0..200 {
///     last = trainer.step(&mut net, &[0.5], &[0.25], &Mse).unwrap();
/// }
/// assert!(last < first / 100.0);
/// ```
pub struct Trainer<M, X, O, W = BuffersOf<M, X>> {
    /// The optimizer and its state.
    pub optimizer: O,
    /// Where the backward pass puts the gradients: zero before the first step and after a
    /// step its optimizer's check refused. After an update, a model whose layers all write
    /// their gradients ([`Backward::WRITES_GRADIENTS`], every built-in layer) leaves whatever
    /// its optimizer left there ([`Optimizer::checked_step_unzeroed`]), for the next backward
    /// pass to overwrite; any other model's are cleared, for the next pass to add into. A step
    /// refused before its backward pass (by its targets or its loss) leaves them as they were.
    pub grads: M,
    /// Steps asked for so far, refused ones included: the step numbers errors name.
    pub steps: u64,
    /// Steps whose update was applied: [`steps`](Self::steps) less the refused ones. An error
    /// tells from it whether the learning rate can be the cause (before any update it
    /// cannot).
    pub updates: u64,
    /// Epochs completed so far, by [`epoch`](Self::epoch) or [`fit`](Self::fit): the number
    /// each [`EpochReport`] carries.
    pub epochs: usize,
    buffers: W,
    input: PhantomData<fn(&X)>,
}

/// What one training step of a model writes besides the gradients: the forward cache `C`, the
/// output `O` and the gradient of the loss with respect to it.
#[derive(Clone, Debug, PartialEq)]
pub struct StepBuffers<C, O> {
    /// What the forward pass keeps for the backward pass.
    pub cache: C,
    /// The model's output in the last step.
    pub out: O,
    /// The gradient of the loss with respect to `out`.
    pub d_out: O,
}

impl<C: Zero, O: Zero> Zero for StepBuffers<C, O> {
    const ZERO: Self = {
        let () = crate::shape::FitsOnStack::<Self>::HOLD;
        StepBuffers {
            cache: C::ZERO,
            out: O::ZERO,
            d_out: O::ZERO,
        }
    };
}

#[cfg(feature = "alloc")]
impl<M, X, O, W: crate::boxed::ZeroBits> Trainer<M, X, O, W> {
    /// Settles the step buffers of a trainer built from zeroed memory
    /// ([`ZeroBits::settle_zeroed`](crate::boxed::ZeroBits::settle_zeroed)).
    pub(crate) fn settle_buffers(&mut self) {
        self.buffers.settle_zeroed();
    }
}

/// The float type of model `M`'s output for input `X`.
pub type Elem<M, X> = <<M as Forward<X>>::Output as Tensor>::Elem;

/// The [`StepBuffers`] of model `M` on inputs `X`: the default last parameter of [`Trainer`].
pub type BuffersOf<M, X> = StepBuffers<<M as Forward<X>>::Cache, <M as Forward<X>>::Output>;

impl<M: Zero, X, O, C: Zero, Out: Zero> Trainer<M, X, O, StepBuffers<C, Out>> {
    /// A trainer that updates with `optimizer`.
    ///
    /// Its input type `X` is learnt from the first [`step`](Trainer::step). For
    /// [`epoch`](Trainer::epoch) and [`fit`](Trainer::fit), which take slices of samples,
    /// nothing fixes the batch size: name it in the type, `Trainer::<Net, [[f32; 4]; 32],
    /// _>::new(optimizer)` for batches of 32 samples of 4 features, or the batch size alone,
    /// `Trainer::<_, [_; 32], _>::new(optimizer)`. Left out, it is "type annotations needed"
    /// at the trainer's declaration, once for each rule that needs it.
    ///
    /// A `const fn`, for a trainer in a `static` (with `Sgd::new` or `Adam::with_betas`). In
    /// firmware, a static whose every byte is zero goes to `.bss`; one with a learning rate
    /// in it goes to `.data`, whose initial values, the zero buffers included, take as much
    /// flash as the trainer takes RAM. Build it with a learning rate of 0 and set the rate at
    /// run time (`trainer.optimizer.lr = 0.5`) to keep it in `.bss`.
    pub const fn new(optimizer: O) -> Self {
        Self {
            optimizer,
            grads: M::ZERO,
            steps: 0,
            updates: 0,
            epochs: 0,
            buffers: StepBuffers::ZERO,
            input: PhantomData,
        }
    }

    /// The model's output in the last step.
    pub fn output(&self) -> &Out {
        &self.buffers.out
    }
}

impl<M: Forward<X> + ParamCount, X, O: Optimizer<M>> Trainer<M, X, O> {
    /// Bytes of one training step's working set: the forward cache, the gradients, the
    /// optimizer's state, and the output with its gradient. Together with the model itself
    /// ([`Footprint::PARAM_BYTES`]) this is all the RAM training needs, beyond the stack.
    pub const STEP_BYTES: usize =
        M::CACHE_BYTES + M::PARAM_BYTES * (1 + O::STATE_COPIES) + 2 * M::OUTPUT_BYTES;
}

impl<M, X, O> Trainer<M, X, O, BuffersOf<M, X>>
where
    M: Backward<X>,
    Elem<M, X>: CheckedOptimizer<O, M>,
{
    /// One step of gradient descent on one sample or batch: forward, loss, backward, update.
    /// Returns the loss before the update, or an error (leaving the model unchanged) when the
    /// loss is not finite.
    ///
    /// A function that trains any model of a given input and output names three bounds: the
    /// model trains on the input and gives that output (`Backward`), holds parameters of the
    /// float type (`Params`), and has a zero value for the trainer's gradients (`Zero`).
    ///
    /// ```
    /// use typed_nn::prelude::*;
    /// use typed_nn::train::TrainError;
    /// fn train<M>(model: &mut M, x: &[f32; 2], target: &[f32; 1]) -> Result<f32, TrainError>
    /// where
    ///     M: Backward<[f32; 2], Output = [f32; 1]> + Params<f32> + Zero,
    /// {
    ///     let mut trainer = Trainer::new(Adam::new(0.01));
    ///     trainer.step(model, x, target, &Mse)
    /// }
    /// let mut net = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<16, 1>::ZERO);
    /// assert_eq!(train(&mut net, &[0.0, 1.0], &[1.0])?, 1.0);
    /// # Ok::<(), TrainError>(())
    /// ```
    pub fn step<T, L>(
        &mut self,
        model: &mut M,
        x: &X,
        target: &T,
        loss: &L,
    ) -> Result<Elem<M, X>, TrainError>
    where
        M::Output: ScoredBy<L, T>,
    {
        // Here rather than in `step_rows`, so that the message points at the caller's line.
        let () = crate::shape::AppliedTwice::<M, X, L, T>::HOLD;
        self.step_rows(model, x, target, loss, None)
    }

    /// [`step`](Self::step), with the gradient taken over the first `live` rows of the output
    /// only (each row one sample), as the mean over those rows, when `live` is given.
    #[inline(always)]
    fn step_rows<T, L>(
        &mut self,
        model: &mut M,
        x: &X,
        target: &T,
        loss: &L,
        live: Option<usize>,
    ) -> Result<Elem<M, X>, TrainError>
    where
        M::Output: ScoredBy<L, T>,
    {
        self.steps += 1;
        if let Err(error) = <M::Output as ScoredBy<L, T>>::check_target(loss, target) {
            return Err(TrainError::Target {
                step: self.steps,
                before_training: false,
                error,
            });
        }
        let buffers = &mut self.buffers;
        model.forward(x, &mut buffers.out, &mut buffers.cache);
        let value = ScoredBy::loss_grad(loss, &buffers.out, target, &mut buffers.d_out);
        if !num_traits::Float::is_finite(value) {
            let loss = TrainError::NonFiniteLoss {
                step: self.steps,
                updates: self.updates,
                loss: value.as_f64(),
            };
            return Err(blame_input::<M, X>(x, self.steps, loss));
        }
        if let Some(live) = live {
            // The batch mean over B rows scaled to a mean over the live rows; the padding
            // rows contribute nothing.
            let row = <M::Output as Tensor>::ROW;
            let rows = output_rows::<M, X>();
            let scale = Elem::<M, X>::from_usize(rows) / Elem::<M, X>::from_usize(live.max(1));
            let (kept, padding) = buffers.d_out.flat_mut().split_at_mut(live * row);
            kept.iter_mut().for_each(|g| *g *= scale);
            padding.fill(Zero::ZERO);
        }
        // A model that writes its gradients (every built-in layer does) leaves the last
        // step's values to be overwritten, so the optimizer need not store zeros over them,
        // nor the backward pass read them back. Any other model's gradients are zero here:
        // they start so, and each optimizer step clears them.
        let write = M::WRITES_GRADIENTS;
        let (out, d_out) = (&buffers.out, &buffers.d_out);
        let cache = &mut buffers.cache;
        let scan = <Elem<M, X> as CheckedOptimizer<O, M>>::USES_SCAN;
        let pass = Pass { scan, write };
        // Constants: only the branch taken is compiled for each model.
        let stepped = if const { defers::<M, X>() } {
            // The first layer's weight gradient may be left for the update to compute
            // (`Backward::backward_deferred`).
            #[cfg(feature = "alloc")]
            {
                let grads = &mut self.grads;
                let (largest, deferred) =
                    model.backward_deferred(x, out, d_out, cache, grads, pass);
                let optimizer = &mut self.optimizer;
                match deferred {
                    Some(deferred) => Elem::<M, X>::checked_step_deferred(
                        optimizer, model, grads, largest, deferred,
                    ),
                    None => Elem::<M, X>::checked_step_unzeroed(optimizer, model, grads, largest),
                }
            }
            #[cfg(not(feature = "alloc"))]
            unreachable!()
        } else {
            let grads = &mut self.grads;
            let largest = model.backward_scanned(x, out, d_out, cache, grads, None, pass);
            let optimizer = &mut self.optimizer;
            if const { M::WRITES_GRADIENTS } {
                Elem::<M, X>::checked_step_unzeroed(optimizer, model, grads, largest)
            } else {
                Elem::<M, X>::checked_step(optimizer, model, grads, largest)
            }
        };
        if let Err(error) = stepped {
            let refused = TrainError::Refused {
                step: self.steps,
                updates: self.updates,
                error,
            };
            return Err(blame_input::<M, X>(x, self.steps, refused));
        }
        self.updates += 1;
        Ok(value)
    }
}

/// Whether a trainer of model `M` asks its backward pass to defer a product
/// ([`Backward::backward_deferred`]): with an allocator, for a model that writes its gradients
/// and may defer one.
#[cfg_attr(not(feature = "alloc"), allow(clippy::extra_unused_type_parameters))]
const fn defers<M: Backward<X>, X>() -> bool {
    #[cfg(feature = "alloc")]
    return M::WRITES_GRADIENTS && M::DEFERS;
    #[cfg(not(feature = "alloc"))]
    false
}

/// The error of a step that failed, `otherwise`, unless the model finds an input value of
/// `x` that is not finite: that value, by its sample and feature, is the cause. A loss that
/// is not finite comes of one, and so does a NaN gradient behind a saturating activation
/// (tanh of an infinity is 1, and the loss finite). Only now are the inputs read again (a
/// step that succeeds needs no such pass), and out of the step's own code.
#[cold]
#[inline(never)]
fn blame_input<M: Forward<X>, X>(x: &X, step: u64, otherwise: TrainError) -> TrainError {
    match non_finite_sample::<M, X>(x) {
        Some((sample, feature, value)) => TrainError::NonFiniteInput {
            step,
            before_training: false,
            sample,
            feature,
            value,
        },
        None => otherwise,
    }
}

/// Rows of model `M`'s output for input `X`: one per sample, unless a layer mixes them.
const fn output_rows<M: Forward<X>, X>() -> usize {
    <M::Output as Tensor>::LEN / <M::Output as Tensor>::ROW
}

/// The sample, the place in it and the value of the first input value of `x` that model `M`
/// finds not finite ([`Forward::non_finite_input`]), where `x` holds as many samples as the
/// model's output has rows (a model whose output rows do not divide its input counts the
/// whole input as one sample).
fn non_finite_sample<M: Forward<X>, X>(x: &X) -> Option<(usize, usize, f64)> {
    let found = M::non_finite_input(x)?;
    let rows = output_rows::<M, X>();
    let per_sample = if rows > 0 && found.len.is_multiple_of(rows) {
        found.len / rows
    } else {
        found.len
    }
    .max(1);
    Some((
        found.index / per_sample,
        found.index % per_sample,
        found.value,
    ))
}

/// `error` from a batch made of samples `start..start + live` of a data set (repeated to fill
/// the batch when `live` is short of it), with a target's index counted in the data set.
fn in_data_set(error: TrainError, start: usize, live: usize) -> TrainError {
    match error {
        TrainError::Target {
            step,
            before_training,
            mut error,
        } => {
            let row = error.row.max(1);
            let (sample, value) = (error.index / row, error.index % row);
            error.index = (start + sample % live.max(1)) * row + value;
            TrainError::Target {
                step,
                before_training,
                error,
            }
        }
        TrainError::NonFiniteInput {
            step,
            before_training,
            sample,
            feature,
            value,
        } => TrainError::NonFiniteInput {
            step,
            before_training,
            sample: start + sample % live.max(1),
            feature,
            value,
        },
        other => other,
    }
}

/// What one epoch did: [`Trainer::epoch`] returns it and [`Trainer::fit`] passes it to its
/// callback.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochReport<F> {
    /// The epoch, counted from 1 over the trainer's life ([`Trainer::epochs`]): a trainer's
    /// first epoch is 1, whether [`Trainer::epoch`] or [`Trainer::fit`] runs it, and a
    /// second `fit` goes on from where the first stopped. 0 in the report of a `fit` of no
    /// epochs.
    pub epoch: usize,
    /// The mean training loss over the epoch's samples, each sample weighted once (NaN when
    /// no sample took part: [`Trainer::fit`] with 0 epochs).
    pub mean_loss: F,
    /// Samples that took part: every sample of the data set.
    pub samples: usize,
    /// Optimizer steps taken.
    pub steps: usize,
    /// For a classification loss, the fraction of the epoch's decisions the model made right
    /// at the moment it took its step on them (the training accuracy, as Keras reports it):
    /// one decision a sample for softmax cross-entropy, one an output for binary
    /// cross-entropy (a model of three independent yes-or-no outputs makes three decisions a
    /// sample, as Keras' `binary_accuracy` counts them); `None` for other losses.
    pub accuracy: Option<f64>,
}

impl<F: Float> fmt::Display for EpochReport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Six decimals, or six significant digits in exponent form where decimals would
        // print thirty digits of a diverging loss, or zeros for a tiny one.
        let loss = self.mean_loss.as_f64();
        let plain = loss == 0.0 || !loss.is_finite() || (1e-4..1e6).contains(&loss.abs());
        write!(f, "epoch {}: loss ", self.epoch)?;
        if plain {
            write!(f, "{loss:.6}")?;
        } else {
            write!(f, "{loss:.5e}")?;
        }
        write!(f, ", {} samples in {} steps", self.samples, self.steps)?;
        match self.accuracy {
            Some(a) => write!(f, ", accuracy {a:.4}"),
            None => Ok(()),
        }
    }
}

impl<M, X, O> Trainer<M, X, O, BuffersOf<M, X>>
where
    X: Batch,
    M: Backward<X>,
    Elem<M, X>: CheckedOptimizer<O, M>,
{
    /// One pass over a data set in batches of `B` samples, the trainer's input type being `[S;
    /// B]` (a [`Batch`]). Every sample takes part once:
    /// when the data set does not divide into batches, the last step takes the remaining
    /// samples, its batch filled up by repeating them, with the gradient taken over the
    /// remaining samples alone (the padding rows' gradients are zero), so that each sample
    /// weighs as in a full batch. The report's mean loss weighs each step's loss by its
    /// samples; the last step's loss is the mean over its remaining samples alone
    /// ([`Loss::loss_of_rows`](crate::Loss::loss_of_rows)), so that each sample counts once.
    ///
    /// A data set of fewer than `B` samples is an error: a batch size larger than the data
    /// is almost always a mistake. Shuffle between epochs (with [`shuffle_together`]), or let
    /// [`fit`](Self::fit) do it.
    ///
    /// Every target and every input is checked before the first step (one pass over the
    /// data, without the model), so that a target the loss is not defined for, or an input
    /// that is not finite, is named by its index and leaves the model as it was: found at
    /// its own step, it would come after the steps before it had trained on the data.
    ///
    /// ```
    /// use typed_nn::rand::{SeedableRng, rngs::SmallRng};
    /// use typed_nn::{optim::Adam, train::Trainer, Linear, SoftmaxCrossEntropy};
    /// let inputs = [[1.0f32, 0.0], [0.0, 1.0], [0.9, 0.1], [0.2, 0.8], [0.8, 0.3]];
    /// let classes = [0usize, 1, 0, 1, 0];
    /// let mut model = Linear::<2, 2>::glorot(&mut SmallRng::seed_from_u64(0));
    /// let mut trainer = Trainer::<_, [[f32; 2]; 2], _>::new(Adam::new(0.05));
    /// let mut report = trainer.epoch(&mut model, &inputs, &classes, &SoftmaxCrossEntropy)?;
    /// assert_eq!((report.samples, report.steps), (5, 3)); // 2 + 2 + the last 1
    /// for _ in 0..100 {
    ///     report = trainer.epoch(&mut model, &inputs, &classes, &SoftmaxCrossEntropy)?;
    /// }
    /// assert_eq!(report.accuracy, Some(1.0));
    /// # Ok::<(), typed_nn::train::TrainError>(())
    /// ```
    pub fn epoch<T, L>(
        &mut self,
        model: &mut M,
        inputs: &[X::Sample],
        targets: &[T],
        loss: &L,
    ) -> Result<EpochReport<Elem<M, X>>, TrainError>
    where
        X::Sample: crate::shape::Sample,
        T: Copy,
        M::Output: ScoredBy<L, X::Of<T>>,
    {
        let () = crate::shape::AppliedTwice::<M, X, L, X::Of<T>>::HOLD;
        check_epoch_data(inputs.len(), targets.len(), X::SIZE)?;
        self.check_targets::<T, L>(targets, loss)?;
        self.check_inputs(inputs)?;
        self.epoch_checked(model, inputs, targets, loss)
    }

    /// [`epoch`](Self::epoch), its data checked (lengths, targets and inputs):
    /// [`fit`](Self::fit) checks it once, before the first epoch.
    fn epoch_checked<T, L>(
        &mut self,
        model: &mut M,
        inputs: &[X::Sample],
        targets: &[T],
        loss: &L,
    ) -> Result<EpochReport<Elem<M, X>>, TrainError>
    where
        X::Sample: crate::shape::Sample,
        T: Copy,
        M::Output: ScoredBy<L, X::Of<T>>,
    {
        let rows = output_rows::<M, X>();
        if !inputs.len().is_multiple_of(X::SIZE) && rows != X::SIZE {
            return Err(TrainError::PartialBatch {
                samples: inputs.len(),
                batch: X::SIZE,
                rows,
            });
        }
        let (xs, x_tail) = X::split_samples(inputs);
        let (ts, t_tail) = X::split(targets);
        let mut tally = Tally::default();
        for (batch, (x, t)) in xs.iter().zip(ts).enumerate() {
            let value = self
                .step_rows(model, x, t, loss, None)
                .map_err(|e| in_data_set(e, batch * X::SIZE, X::SIZE))?;
            tally.add(
                value.as_f64(),
                X::SIZE,
                ScoredBy::correct(loss, &self.buffers.out, t, X::SIZE),
            );
        }
        if !x_tail.is_empty() {
            let live = x_tail.len();
            let (x, t) = (X::fill_samples(x_tail), X::fill(t_tail));
            let (x, t): (&X, &X::Of<T>) = (x.borrow(), t.borrow());
            self.step_rows(model, x, t, loss, Some(live))
                .map_err(|e| in_data_set(e, xs.len() * X::SIZE, live))?;
            // The step's loss is the padded batch's mean, in which the repeated samples
            // count again: the report takes the live rows' own mean, from the same output.
            let out = &self.buffers.out;
            let value = ScoredBy::loss_of_rows(loss, out, t, live);
            let correct = ScoredBy::correct(loss, out, t, live);
            tally.add(value.as_f64(), live, correct);
        }
        self.epochs += 1;
        Ok(EpochReport {
            epoch: self.epochs,
            ..tally.report()
        })
    }

    /// Trains for up to `epochs` epochs, shuffling inputs and targets together before each
    /// (with `rng`), and calls `each` with every epoch's report and the model as it is after
    /// that epoch (to evaluate it on held-out data): return [`ControlFlow::Break`] from it to
    /// stop early (a loss that is low enough, a test accuracy that stopped improving).
    /// Returns the last epoch's report.
    ///
    /// With `epochs` 0 nothing is trained: the data is checked, `each` is not called, and the
    /// report counts no epoch, sample or step, with a mean loss of NaN.
    ///
    /// The shuffles happen in place: `inputs` and `targets` are left in the last epoch's
    /// order, still paired. Every target is checked before the first shuffle, so that a
    /// target the loss is not defined for is named by its index as passed, and no step is
    /// taken.
    ///
    /// ```
    /// use core::ops::ControlFlow;
    /// use typed_nn::rand::{SeedableRng, rngs::SmallRng};
    /// use typed_nn::{optim::Adam, train::Trainer, Linear, SoftmaxCrossEntropy};
    /// let mut inputs = [[1.0f32, 0.0], [0.0, 1.0], [0.9, 0.1], [0.2, 0.8]];
    /// let mut classes = [0usize, 1, 0, 1];
    /// let mut rng = SmallRng::seed_from_u64(0);
    /// let mut model = Linear::<2, 2>::glorot(&mut rng);
    /// let mut trainer = Trainer::<_, [[f32; 2]; 2], _>::new(Adam::new(0.05));
    /// let last = trainer.fit(
    ///     &mut model, &mut inputs, &mut classes, &SoftmaxCrossEntropy, 1000, &mut rng,
    ///     |report, _model| {
    ///         // println!("{report}") prints "epoch 1: loss 0.61..., 4 samples in 2 steps, ..."
    ///         if report.mean_loss < 0.1 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    ///     },
    /// )?;
    /// assert!(last.mean_loss < 0.1 && last.epoch < 1000);
    /// # Ok::<(), typed_nn::train::TrainError>(())
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn fit<T, L, R>(
        &mut self,
        model: &mut M,
        inputs: &mut [X::Sample],
        targets: &mut [T],
        loss: &L,
        epochs: usize,
        rng: &mut R,
        mut each: impl FnMut(&EpochReport<Elem<M, X>>, &M) -> ControlFlow<()>,
    ) -> Result<EpochReport<Elem<M, X>>, TrainError>
    where
        X::Sample: crate::shape::Sample,
        T: Copy,
        R: Generator + ?Sized,
        M::Output: ScoredBy<L, X::Of<T>>,
    {
        let () = crate::shape::AppliedTwice::<M, X, L, X::Of<T>>::HOLD;
        // Targets are checked in the order the caller gave them, so that an error names a
        // target by its index there, not by where a shuffle moved it.
        check_epoch_data(inputs.len(), targets.len(), X::SIZE)?;
        self.check_targets::<T, L>(targets, loss)?;
        self.check_inputs(inputs)?;
        let mut last = None;
        for _ in 0..epochs {
            shuffle_together(inputs, targets, rng)?;
            let report = self.epoch_checked(model, inputs, targets, loss)?;
            last = Some(report);
            if each(&report, model).is_break() {
                break;
            }
        }
        // No epoch at all still checks the data, and reports nothing done.
        match last {
            Some(report) => Ok(report),
            None => {
                check_epoch_data(inputs.len(), targets.len(), X::SIZE)?;
                Ok(Tally::default().report())
            }
        }
    }
}

impl<M, X, O> Trainer<M, X, O, BuffersOf<M, X>>
where
    X: Batch,
    M: Backward<X>,
    Elem<M, X>: CheckedOptimizer<O, M>,
{
    /// Every target, batch by batch as [`epoch`](Self::epoch) would take them, checked
    /// against the loss without a step: an error names the target by its index in `targets`
    /// and the step that would have met it.
    fn check_targets<T: Copy, L>(&self, targets: &[T], loss: &L) -> Result<(), TrainError>
    where
        M::Output: ScoredBy<L, X::Of<T>>,
    {
        let refused = |error, batch: u64, start, live| {
            let step = self.steps + batch + 1;
            let before_training = true;
            in_data_set(
                TrainError::Target {
                    step,
                    before_training,
                    error,
                },
                start,
                live,
            )
        };
        let (batches, tail) = X::split(targets);
        for (batch, t) in batches.iter().enumerate() {
            <M::Output as ScoredBy<L, X::Of<T>>>::check_target(loss, t)
                .map_err(|e| refused(e, batch as u64, batch * X::SIZE, X::SIZE))?;
        }
        if !tail.is_empty() {
            let live = tail.len();
            let t = X::fill(tail);
            <M::Output as ScoredBy<L, X::Of<T>>>::check_target(loss, t.borrow())
                .map_err(|e| refused(e, batches.len() as u64, batches.len() * X::SIZE, live))?;
        }
        Ok(())
    }

    /// Every input finite, batch by batch as [`epoch`](Self::epoch) would take them: an error
    /// names the sample by its index in `inputs` and the step that would have met it. One
    /// pass over the data, once a [`fit`](Self::fit), which shuffles before each epoch and so
    /// could otherwise only name a sample by where a shuffle moved it.
    fn check_inputs(&self, inputs: &[X::Sample]) -> Result<(), TrainError>
    where
        X::Sample: Copy,
    {
        // A sample of the last batch is found in its copy filled up to a whole batch.
        let refused =
            |batch: usize, live: usize, (sample, feature, value)| TrainError::NonFiniteInput {
                step: self.steps + batch as u64 + 1,
                before_training: true,
                sample: batch * X::SIZE + sample % live,
                feature,
                value,
            };
        let (batches, tail) = X::split_samples(inputs);
        for (batch, x) in batches.iter().enumerate() {
            if let Some(found) = non_finite_sample::<M, X>(x) {
                return Err(refused(batch, X::SIZE, found));
            }
        }
        if !tail.is_empty() {
            let x = X::fill_samples(tail);
            if let Some(found) = non_finite_sample::<M, X>(x.borrow()) {
                return Err(refused(batches.len(), tail.len(), found));
            }
        }
        Ok(())
    }
}

/// What an epoch needs of its data: a target for each input, and at least one batch.
fn check_epoch_data(inputs: usize, targets: usize, batch: usize) -> Result<(), TrainError> {
    if inputs != targets {
        return Err(TrainError::LengthMismatch { inputs, targets });
    }
    if inputs < batch || batch == 0 {
        return Err(TrainError::SmallerThanBatch {
            samples: inputs,
            batch,
        });
    }
    Ok(())
}

/// Sums over an epoch's steps, for its [`EpochReport`].
#[derive(Default)]
struct Tally {
    loss: f64,
    samples: usize,
    steps: usize,
    correct: Option<(usize, usize)>,
}

impl Tally {
    fn add(&mut self, loss: f64, samples: usize, correct: Option<(usize, usize)>) {
        self.loss += loss * samples as f64;
        self.samples += samples;
        self.steps += 1;
        if let Some((right, of)) = correct {
            let (r, o) = self.correct.unwrap_or((0, 0));
            self.correct = Some((r + right, o + of));
        }
    }

    fn report<F: Float>(&self) -> EpochReport<F> {
        EpochReport {
            epoch: 0,
            // The mean of no losses is not a number: a report of nothing done must not pass
            // for a trained model's (`mean_loss < 0.1`).
            mean_loss: F::from_f64(if self.samples == 0 {
                f64::NAN
            } else {
                self.loss / self.samples as f64
            }),
            samples: self.samples,
            steps: self.steps,
            accuracy: self.correct.map(|(r, o)| r as f64 / o.max(1) as f64),
        }
    }
}

/// Shuffles inputs and targets with the same permutation (Fisher-Yates), in place.
///
/// ```
/// use typed_nn::rand::{SeedableRng, rngs::SmallRng};
/// use typed_nn::train::shuffle_together;
/// let mut xs = [10, 20, 30, 40];
/// let mut ts = [1, 2, 3, 4];
/// shuffle_together(&mut xs, &mut ts, &mut SmallRng::seed_from_u64(5)).unwrap();
/// assert!(xs.iter().zip(&ts).all(|(x, t)| *x == 10 * t));
/// ```
pub fn shuffle_together<S, T, R: Generator + ?Sized>(
    inputs: &mut [S],
    targets: &mut [T],
    rng: &mut R,
) -> Result<(), TrainError> {
    if inputs.len() != targets.len() {
        return Err(TrainError::LengthMismatch {
            inputs: inputs.len(),
            targets: targets.len(),
        });
    }
    for i in (1..inputs.len()).rev() {
        let j = rng.random_range(0..=i);
        inputs.swap(i, j);
        targets.swap(i, j);
    }
    Ok(())
}

/// The index of the largest value (the first one on ties; 0 for an empty slice): the class a
/// classifier predicts from its logits or probabilities. A NaN counts as larger than any
/// number, as in NumPy's `argmax`: the first NaN is the answer, wherever it is.
///
/// ```
/// use typed_nn::train::argmax;
/// assert_eq!(argmax(&[0.1f32, 0.7, 0.2]), 1);
/// assert_eq!(argmax(&[0.1f32, f32::NAN, 0.9]), 1);
/// ```
pub fn argmax<F: Float>(values: &[F]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v.is_nan() {
            return i;
        }
        if v > values[best] {
            best = i;
        }
    }
    best
}

pub use crate::eval::accuracy;

/// A model whose output for `X` is one score per class, `[F; C]`: implemented for every such
/// model.
pub trait Classifier<X> {
    /// The number of classes scored.
    const CLASSES: usize;
    /// The predicted class: the [`argmax`] of the scores.
    fn predict(&self, x: &X) -> usize;
    /// The predicted class, or `None` when a score is not finite (then no class is
    /// predicted: a NaN model must not be right by chance).
    fn predict_finite(&self, x: &X) -> Option<usize> {
        Some(self.predict(x))
    }
}

impl<M: Forward<X, Output = [F; C]>, X, F: Float, const C: usize> Classifier<X> for M {
    const CLASSES: usize = C;
    fn predict(&self, x: &X) -> usize {
        argmax(&self.infer(x))
    }
    fn predict_finite(&self, x: &X) -> Option<usize> {
        let scores = self.infer(x);
        scores
            .iter()
            .all(|s| s.is_finite())
            .then(|| argmax(&scores))
    }
}
