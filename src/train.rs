//! Training loop helpers: one optimisation step, one epoch over a data set, shuffling, and
//! classification metrics.

use core::fmt;
use core::marker::PhantomData;

use rand::{Rng, RngExt};

use crate::float::Float;
use crate::footprint::Footprint;
use crate::loss::ScoredBy;
use crate::module::{Backward, Forward, ParamCount};
use crate::optim::{CheckedOptimizer, Optimizer};
use crate::tensor::{Tensor, Zero};

/// Why training stopped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TrainError {
    /// The loss was NaN or infinite at step `step`: the learning rate is too high, the data
    /// holds a NaN, or a class index is out of range. The model was left as it was before that
    /// step.
    NonFiniteLoss {
        /// The step (counted from 1) at which it happened.
        step: u64,
        /// The loss value.
        loss: f64,
    },
    /// Inputs and targets of different lengths were given.
    LengthMismatch {
        /// The number of inputs.
        inputs: usize,
        /// The number of targets.
        targets: usize,
    },
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::NonFiniteLoss { step, loss } => write!(
                f,
                "training diverged: loss is {loss} at step {step} (lower the learning rate, or check the data for NaN and the class indices)"
            ),
            TrainError::LengthMismatch { inputs, targets } => {
                write!(
                    f,
                    "{inputs} inputs but {targets} targets: each input needs one target"
                )
            }
        }
    }
}

impl core::error::Error for TrainError {}

/// The working memory of training a model `M` on inputs `X` with optimizer `O`: gradients,
/// the forward cache, and the output and its gradient. Its size is known at compile time and
/// nothing in it allocates, so it fits in a `static` on a microcontroller.
///
/// The struct itself requires nothing of `M`: the shape rules are checked by the method that
/// needs them ([`step`](Trainer::step), [`epoch`](Trainer::epoch)), so a mis-wired model is
/// one error at the call that uses it. `W` holds the forward pass's buffers; leave it to its
/// default.
///
/// ```
/// use rand::{SeedableRng, rngs::SmallRng};
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
    /// Where the backward pass adds the gradients; the optimizer clears them after each step.
    pub grads: M,
    /// Steps taken so far.
    pub steps: u64,
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
    const ZERO: Self = StepBuffers {
        cache: C::ZERO,
        out: O::ZERO,
        d_out: O::ZERO,
    };
}

/// The float type of model `M`'s output for input `X`.
pub type Elem<M, X> = <<M as Forward<X>>::Output as Tensor>::Elem;

/// The [`StepBuffers`] of model `M` on inputs `X`: the default last parameter of [`Trainer`].
pub type BuffersOf<M, X> = StepBuffers<<M as Forward<X>>::Cache, <M as Forward<X>>::Output>;

impl<M: Zero, X, O, C: Zero, Out: Zero> Trainer<M, X, O, StepBuffers<C, Out>> {
    /// A trainer that updates with `optimizer`.
    pub const fn new(optimizer: O) -> Self {
        Self {
            optimizer,
            grads: M::ZERO,
            steps: 0,
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
        self.steps += 1;
        let buffers = &mut self.buffers;
        model.forward(x, &mut buffers.out, &mut buffers.cache);
        let value = ScoredBy::loss_grad(loss, &buffers.out, target, &mut buffers.d_out);
        if !num_traits::Float::is_finite(value) {
            return Err(TrainError::NonFiniteLoss {
                step: self.steps,
                loss: value.as_f64(),
            });
        }
        // The gradients are zero here: they start so, and each optimizer step clears them.
        let (out, d_out) = (&buffers.out, &buffers.d_out);
        model.backward(x, out, d_out, &mut buffers.cache, &mut self.grads, None);
        Elem::<M, X>::step(&mut self.optimizer, model, &mut self.grads);
        Ok(value)
    }
}

impl<M, S, O, const B: usize> Trainer<M, [S; B], O, BuffersOf<M, [S; B]>>
where
    M: Backward<[S; B]>,
    Elem<M, [S; B]>: CheckedOptimizer<O, M>,
{
    /// One pass over a data set in batches of `B` samples, returning the mean loss. A tail
    /// of fewer than `B` samples is left out: shuffle between epochs (with
    /// [`shuffle_together`]) so that every sample takes part.
    ///
    /// ```
    /// use rand::{SeedableRng, rngs::SmallRng};
    /// use typed_nn::{optim::Adam, train::Trainer, Linear, SoftmaxCrossEntropy};
    /// let inputs = [[1.0f32, 0.0], [0.0, 1.0], [0.9, 0.1], [0.2, 0.8]];
    /// let classes = [0usize, 1, 0, 1];
    /// let mut model = Linear::<2, 2>::glorot(&mut SmallRng::seed_from_u64(0));
    /// let mut trainer = Trainer::<_, [[f32; 2]; 2], _>::new(Adam::new(0.05));
    /// for _ in 0..100 {
    ///     trainer.epoch(&mut model, &inputs, &classes, &SoftmaxCrossEntropy).unwrap();
    /// }
    /// assert_eq!(typed_nn::train::accuracy(&model, &inputs, &classes), 1.0);
    /// ```
    pub fn epoch<T, L>(
        &mut self,
        model: &mut M,
        inputs: &[S],
        targets: &[T],
        loss: &L,
    ) -> Result<Elem<M, [S; B]>, TrainError>
    where
        M::Output: ScoredBy<L, [T; B]>,
    {
        if inputs.len() != targets.len() {
            return Err(TrainError::LengthMismatch {
                inputs: inputs.len(),
                targets: targets.len(),
            });
        }
        let (xs, _) = inputs.as_chunks::<B>();
        let (ts, _) = targets.as_chunks::<B>();
        let mut sum = Elem::<M, [S; B]>::ZERO;
        for (x, t) in xs.iter().zip(ts) {
            sum += self.step(model, x, t, loss)?;
        }
        Ok(sum / Float::from_usize(xs.len().max(1)))
    }
}

/// Shuffles inputs and targets with the same permutation (Fisher-Yates), in place.
///
/// ```
/// use rand::{SeedableRng, rngs::SmallRng};
/// use typed_nn::train::shuffle_together;
/// let mut xs = [10, 20, 30, 40];
/// let mut ts = [1, 2, 3, 4];
/// shuffle_together(&mut xs, &mut ts, &mut SmallRng::seed_from_u64(5)).unwrap();
/// assert!(xs.iter().zip(&ts).all(|(x, t)| *x == 10 * t));
/// ```
pub fn shuffle_together<S, T, R: Rng + ?Sized>(
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
/// classifier predicts from its logits or probabilities.
///
/// ```
/// assert_eq!(typed_nn::train::argmax(&[0.1f32, 0.7, 0.2]), 1);
/// ```
pub fn argmax<F: Float>(values: &[F]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

/// The fraction of samples whose predicted class (the [`argmax`] of `model.infer(x)`) equals
/// the target; 0 for an empty set.
pub fn accuracy<M: Classifier<X>, X>(model: &M, inputs: &[X], classes: &[usize]) -> f64 {
    let right = inputs
        .iter()
        .zip(classes)
        .filter(|(x, c)| model.predict(x) == **c)
        .count();
    right as f64 / inputs.len().min(classes.len()).max(1) as f64
}

/// A model whose output for `X` is one score per class, `[F; C]`: implemented for every such
/// model.
pub trait Classifier<X> {
    /// The predicted class: the [`argmax`] of the scores.
    fn predict(&self, x: &X) -> usize;
}

impl<M: Forward<X, Output = [F; C]>, X, F: Float, const C: usize> Classifier<X> for M {
    fn predict(&self, x: &X) -> usize {
        argmax(&self.infer(x))
    }
}
