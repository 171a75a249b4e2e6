//! The contracts every layer and every composed model fulfils.
//!
//! A layer maps an input `X` to an output ([`Forward`]), sends the gradient of the loss with
//! respect to its output back to its input and its parameters ([`Backward`]), and exposes its
//! parameters to optimizers ([`Params`]). A tuple of layers is itself a layer, so these traits
//! describe a single `Linear` and a whole network alike.
//!
//! A layer written outside the crate fits best when it is generic as the built-in ones are:
//! over the float type (`F: Float`, for a layer with parameters, as `Linear<IN, OUT, F>` is),
//! so that the same code trains in `f32` and is checked by
//! [`gradcheck`](crate::gradcheck::gradcheck) in `f64`; and over the input (`T: Tensor`
//! for an elementwise layer, or both `[F; N]` and `[[F; N]; B]`), so that it takes a sample
//! and a batch. `examples/custom_layer.rs` (an activation) and `examples/custom_params.rs`
//! (a layer with parameters) show both. A layer without parameters should also say that it
//! writes its gradients ([`Backward::WRITES_GRADIENTS`]: it has none to add), so that a
//! trainer need not clear a model's gradients after each step.

use crate::float::Float;
use crate::tensor::{Tensor, Zero};

#[cfg(feature = "alloc")]
pub use crate::deferred::{Deferred, DeferredPass};

/// A layer or model that maps an input of type `X` to an output.
///
/// `X` is a plain array: `[F; N]` for one sample, `[[F; N]; B]` for a batch of `B` samples.
/// An implementation exists exactly when the shapes fit, so a mis-wired model is a compile
/// error that names the layer and the input it cannot take.
///
/// ```
/// use typed_nn::{Forward, Linear, Sigmoid};
/// let net = (Linear::<2, 3>::from_parts([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0.0; 3]), Sigmoid);
/// let y = net.infer(&[0.0, 0.0]);
/// assert_eq!(y, [0.5; 3]);
/// ```
#[diagnostic::on_unimplemented(
    message = "shape mismatch: `{Self}` cannot take input `{X}`",
    label = "`{Self}` cannot take `{X}`",
    note = "a layer takes the sample type `[F; IN]` or the batch type `[[F; IN]; B]` of its own width and float type"
)]
pub trait Forward<X> {
    /// What the layer produces for input `X`.
    type Output: Tensor;
    /// What a training forward pass keeps for the backward pass, besides the input and output
    /// (for a composed model: every intermediate activation and its gradient).
    type Cache: Zero;
    /// How many floats `Cache` holds: the memory a training forward pass needs beyond the
    /// input and output (see [`Footprint`](crate::footprint::Footprint)).
    const CACHE_FLOATS: usize;

    /// Inference: computes the output and keeps nothing. Takes `&self`, so a model can be a
    /// `static` in flash.
    ///
    /// Each layer's output is a value on the stack while the next layer reads it. For a batch
    /// of wide layers that is more than a spawned thread's 2 MiB holds (64 samples through a
    /// layer of 4096 outputs: 1 MiB each, for the layer and for its activation); run such a
    /// batch through [`forward`](Self::forward) with a cache on the heap, which holds those
    /// outputs there:
    ///
    /// ```
    /// use typed_nn::{Forward, Linear, ReLU, boxed::zeroed};
    /// type Wide = (Linear<64, 4096>, ReLU, Linear<4096, 3>);
    /// type Batch = [[f32; 64]; 64];
    /// let (net, x): (Box<Wide>, Box<Batch>) = (zeroed(), zeroed());
    /// let mut cache: Box<<Wide as Forward<Batch>>::Cache> = zeroed();
    /// let mut y = [[0.0; 3]; 64];
    /// net.forward(&*x, &mut y, &mut cache);
    /// ```
    fn infer(&self, x: &X) -> Self::Output;

    /// Training forward pass: writes the output into `out` and what backward needs into
    /// `cache`. Both are overwritten, never read, so they can be reused from step to step.
    fn forward(&self, x: &X, out: &mut Self::Output, cache: &mut Self::Cache);

    /// The first value of the input `x` that is not finite (a NaN or an infinity), where a
    /// model's first layer looks for it: a trainer whose step gives a loss that is not finite
    /// names the sample at fault
    /// ([`TrainError::NonFiniteInput`](crate::train::TrainError::NonFiniteInput)). Every layer
    /// of this crate finds it in its input; the default finds nothing, for a layer written by
    /// hand (a trainer then reports the loss alone), and
    /// [`first_non_finite`] finds it in an array of floats.
    ///
    /// ```
    /// use typed_nn::{Forward, Linear};
    /// let found = <Linear<2, 1> as Forward<[[f32; 2]; 2]>>::non_finite_input(&[[0.0, 1.0], [f32::NAN, 2.0]]);
    /// assert_eq!(found.map(|f| (f.index, f.len)), Some((2, 4)));
    /// ```
    fn non_finite_input(x: &X) -> Option<NonFinite> {
        let _ = x;
        None
    }

    /// The function the layer applies to its whole output, where a loss may apply it again
    /// ([`shape::AppliedTwice`](crate::shape::AppliedTwice)); for a model, the one its last
    /// layer applies, or, through layers that pass values on ([`Squash::Keep`]), the last
    /// layer's before them.
    #[doc(hidden)]
    const SQUASH: Squash = Squash::None;
}

/// A function that maps scores to probabilities, which a layer may end a model with and a
/// loss may apply itself: a trainer refuses a model that ends in the function its loss
/// applies ([`shape::AppliedTwice`](crate::shape::AppliedTwice)).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Squash {
    /// Neither.
    None,
    /// [`Softmax`](crate::Softmax), applied by [`SoftmaxCrossEntropy`](crate::SoftmaxCrossEntropy).
    Softmax,
    /// [`Sigmoid`](crate::Sigmoid), applied by [`BinaryCrossEntropy`](crate::BinaryCrossEntropy).
    Sigmoid,
    /// Whatever the layer before applied: a layer that passes its input's values on
    /// ([`Identity`](crate::Identity), [`Flatten`](crate::Flatten)), so that a sigmoid
    /// followed by one still gives probabilities, or at least the values that are not
    /// negative, which are all that a squash gives ([`LeakyReLU`](crate::LeakyReLU)).
    Keep,
    /// [`ReLU`](crate::ReLU): no output is negative, so a sigmoid of it is at least 0.5.
    /// After a sigmoid or a softmax, whose outputs it leaves as they are, that function.
    Rectified,
}

impl Squash {
    /// What a model applies that ends in a layer applying `self` and then one applying
    /// `next`.
    pub const fn then(self, next: Squash) -> Squash {
        match (self, next) {
            (_, Squash::Keep) => self,
            // A ReLU of probabilities is the same probabilities.
            (Squash::Sigmoid | Squash::Softmax, Squash::Rectified) => self,
            (_, other) => other,
        }
    }
}

/// The first value of `x` that is not finite, as
/// [`Forward::non_finite_input`] reports it: what a layer
/// written by hand for arrays of floats returns from that method.
///
/// ```
/// let found = typed_nn::module::first_non_finite(&[1.0f32, f32::INFINITY, f32::NAN]).unwrap();
/// assert_eq!((found.index, found.len, found.value), (1, 3, f64::INFINITY));
/// ```
pub fn first_non_finite<T: Tensor>(x: &T) -> Option<NonFinite> {
    let flat = x.flat();
    let index = flat
        .iter()
        .position(|v| !num_traits::Float::is_finite(*v))?;
    Some(NonFinite {
        index,
        len: flat.len(),
        value: flat[index].as_f64(),
    })
}

/// The index (counted over every parameter, in [`Params`] order) of the first parameter of
/// `model` that is not finite: what the writers of both weight formats refuse, and what
/// [`gradcheck`](crate::gradcheck::gradcheck) blames for a NaN.
pub(crate) fn first_non_finite_param<F: Float, M: Params<F>>(model: &M) -> Option<usize> {
    let (mut index, mut found) = (0, None);
    model.visit(&mut |s| {
        if found.is_none()
            && let Some(at) = s.iter().position(|v| !v.is_finite())
        {
            found = Some(index + at);
        }
        index += s.len();
    });
    found
}

/// A value of an input that is not finite, found by [`Forward::non_finite_input`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NonFinite {
    /// Its index in the input, counted in row-major order.
    pub index: usize,
    /// How many values the input holds.
    pub len: usize,
    /// The value: NaN or an infinity.
    pub value: f64,
}

/// A layer or model that can send a gradient backwards through itself.
///
/// Given the input `x`, the output `out` and `cache` of a [`Forward::forward`] call, and the
/// gradient `d_out` of the loss with respect to `out`, `backward`:
/// - **adds** the gradient with respect to every parameter into `grads`, a value of the layer's
///   own type (so gradients, momentum and Adam moments all have the type of the model);
/// - **writes** the gradient with respect to `x` into `d_x`, when asked for. The first layer of
///   a model is not asked, which saves its largest product.
///
/// Composed models call their layers' `backward` in reverse order: the backward graph is the
/// forward graph reversed, built by the type system.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no backward pass for input `{X}`",
    label = "`{Self}` cannot be trained on `{X}`",
    note = "a layer trains on an input when it implements `Backward` for it as well as `Forward`; a model trains when every layer does and each takes the output of the one before (a tuple of at most 16 layers; a boxed model is passed as `&mut *model`)"
)]
pub trait Backward<X>: Forward<X> {
    /// Back-propagates `d_out`; see the trait documentation.
    fn backward(
        &self,
        x: &X,
        out: &Self::Output,
        d_out: &Self::Output,
        cache: &mut Self::Cache,
        grads: &mut Self,
        d_x: Option<&mut X>,
    );

    /// Whether [`backward_scanned`](Self::backward_scanned) honours [`Pass::write`]: writes
    /// every parameter gradient instead of adding to it. `false` unless a layer says
    /// otherwise; a model is `true` when every layer is. A [`Trainer`](crate::train::Trainer)
    /// training such a model does not set the gradients back to zero after each update (one
    /// store per parameter fewer) and has the next backward pass write them (one load fewer).
    const WRITES_GRADIENTS: bool = false;

    /// Whether the layer has parameters, whose gradients its backward pass computes. `true`
    /// unless a layer says otherwise, which is always correct; a model is `true` when any of
    /// its layers is. A model whose first layers have none, such as `(Flatten<2304>,
    /// Linear<2304, 256>, ...)`, does not ask the layer after them for the gradient of its
    /// input when its own caller does not ask for it: nothing would read it, and for that
    /// `Linear` it is a product as large as its weight gradient. A layer that says `false`
    /// must then accept a `d_out` that holds stale values when `d_x` is `None`.
    const HAS_PARAMETERS: bool = true;

    /// [`backward`](Self::backward), and what `pass` asks for besides:
    /// - with [`Pass::scan`], the largest magnitude among this layer's parameter gradients
    ///   after the pass (0 for a layer without parameters), if the pass knows it without
    ///   reading them again: a [`Trainer`](crate::train::Trainer) then checks the gradients
    ///   without a pass of its own. When a gradient is not finite, the value is not finite
    ///   either (NaN or an infinity); a value that is not finite may also stand for gradients
    ///   so close to the largest float that their sum overflows, which the trainer then reads
    ///   itself. `None` when the pass does not know, or is not asked;
    /// - with [`Pass::write`], for a layer whose
    ///   [`WRITES_GRADIENTS`](Self::WRITES_GRADIENTS) is true, the parameter gradients
    ///   written instead of added to `grads`, whatever it held. Only such layers are asked.
    ///
    /// The default calls `backward` and returns `None`, which is always correct: a layer
    /// written by hand needs nothing more, and its gradients are read by the trainer's check.
    ///
    /// ```
    /// use typed_nn::{Backward, Forward, Linear, Params, Zero, module::Pass};
    /// let layer = Linear::<2, 1>::from_parts([[1.0, 2.0]], [0.0]);
    /// let (x, mut y) = ([3.0, -4.0], [0.0]);
    /// layer.forward(&x, &mut y, &mut ());
    /// let mut grads = Linear::<2, 1>::from_parts([[7.0, 7.0]], [7.0]); // stale values
    /// let pass = Pass { scan: true, write: true };
    /// let largest = layer.backward_scanned(&x, &y, &[1.0], &mut (), &mut grads, None, pass);
    /// assert_eq!(largest, Some(4.0)); // dW = [3, -4], db = [1]
    /// assert_eq!(grads, Linear::from_parts([[3.0, -4.0]], [1.0]));
    /// ```
    #[allow(clippy::too_many_arguments)]
    fn backward_scanned(
        &self,
        x: &X,
        out: &Self::Output,
        d_out: &Self::Output,
        cache: &mut Self::Cache,
        grads: &mut Self,
        d_x: Option<&mut X>,
        pass: Pass,
    ) -> Option<f64> {
        let _ = pass;
        self.backward(x, out, d_out, cache, grads, d_x);
        None
    }

    /// Whether [`backward_deferred`](Self::backward_deferred) may defer a product: `false`
    /// unless a layer says otherwise; a model is `true` when any layer is. A
    /// [`Trainer`](crate::train::Trainer) calls `backward_deferred` only for such a model, so
    /// that no other program compiles the update's fused path.
    #[cfg(feature = "alloc")]
    const DEFERS: bool = false;

    /// [`backward_scanned`](Self::backward_scanned) with no `d_x` asked for, by a
    /// [`Trainer`](crate::train::Trainer) whose model writes its gradients ([`Pass::write`]):
    /// a layer may leave the gradient of its first parameters (in [`Params::visit`] order)
    /// out of `grads` and return it as a [`Deferred`] product, for the optimizer's update to
    /// compute ([`Optimizer::checked_step_deferred`](crate::optim::Optimizer::checked_step_deferred));
    /// the scan then covers the other gradients only. A model defers the product of its first
    /// layer with parameters, whose first parameters are the model's.
    ///
    /// The default defers nothing, which is always correct. A [`Linear`](crate::Linear)
    /// defers its weight gradient when the product is blocked for the caches.
    #[cfg(feature = "alloc")]
    fn backward_deferred<'a>(
        &self,
        x: &'a X,
        out: &Self::Output,
        d_out: &'a Self::Output,
        cache: &'a mut Self::Cache,
        grads: &mut Self,
        pass: Pass,
    ) -> DeferredPass<'a, <Self::Output as Tensor>::Elem> {
        let scan = self.backward_scanned(x, out, d_out, cache, grads, None, pass);
        (scan, None)
    }
}

/// What a [`Trainer`](crate::train::Trainer) asks of a backward pass besides its gradients
/// ([`Backward::backward_scanned`]). The default asks for nothing more than
/// [`Backward::backward`] does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Find the largest magnitude among the parameter gradients, as they are stored.
    pub scan: bool,
    /// Write the parameter gradients instead of adding to them (only layers whose
    /// [`Backward::WRITES_GRADIENTS`] is true are asked).
    pub write: bool,
}

/// [`Backward::backward_scanned`] for a layer without parameters, whose largest gradient is
/// known without reading any: 0, and which has no gradients to write. Expands inside an
/// `impl Backward<$x> for ...`.
macro_rules! scanned_without_parameters {
    ($x:ty) => {
        const WRITES_GRADIENTS: bool = true;
        const HAS_PARAMETERS: bool = false;

        #[inline(always)]
        fn backward_scanned(
            &self,
            x: &$x,
            out: &Self::Output,
            d_out: &Self::Output,
            cache: &mut Self::Cache,
            grads: &mut Self,
            d_x: Option<&mut $x>,
            pass: $crate::module::Pass,
        ) -> Option<f64> {
            self.backward(x, out, d_out, cache, grads, d_x);
            pass.scan.then_some(0.0)
        }
    };
}
pub(crate) use scanned_without_parameters;

/// The larger of two [`Backward::backward_scanned`] results: `None` when either is, NaN when
/// either is NaN (so that a value that is not finite stays so).
#[inline(always)]
pub(crate) fn larger_scan(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a?, b?) {
        (a, b) if a.is_nan() || b.is_nan() => Some(f64::NAN),
        (a, b) => Some(a.max(b)),
    }
}

/// The number of trainable parameters, known at compile time.
///
/// ```
/// use typed_nn::{Linear, ParamCount, Sigmoid};
/// // D*H + H + H + 1 for a D-H-1 network.
/// assert_eq!(<(Linear<3, 5>, Sigmoid, Linear<5, 1>)>::PARAM_COUNT, 3 * 5 + 5 + 5 + 1);
/// ```
pub trait ParamCount {
    /// How many scalars the optimizer updates.
    const PARAM_COUNT: usize;
}

/// Access to a layer's parameters as slices of `F`, for optimizers, initialisers and checks.
///
/// The order of the slices is fixed: layers in model order, and within a `Linear` the weight
/// (row-major, `[out][in]`) before the bias.
///
/// A layer written by hand must walk the same slices, in the same order, in [`visit`],
/// [`visit_mut`] and [`zip_mut`], and together they must hold [`ParamCount::PARAM_COUNT`]
/// values: a slice left out would be saved, checked and trained by none of them.
/// [`gradcheck`](crate::gradcheck::gradcheck) panics when they disagree, and its
/// [`Tensors`](crate::io::Tensors) must describe the same values for safetensors.
///
/// [`visit`]: Params::visit
/// [`visit_mut`]: Params::visit_mut
/// [`zip_mut`]: Params::zip_mut
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not hold `{F}` parameters",
    label = "`{Self}` does not hold `{F}` parameters",
    note = "a model's layers, its optimizer, its data and its loss use one float type: `f32` unless a layer says `f64`, as in `Linear<IN, OUT, f64>`; a layer written by hand implements `Params` (`parameterless!` does it for one without parameters); a boxed model is passed as `&mut *model` or `&*model`"
)]
pub trait Params<F: Float>: ParamCount + Zero {
    /// Calls `f` on every parameter slice, in order.
    fn visit(&self, f: &mut impl FnMut(&[F]));

    /// Calls `f` on every parameter slice, in order, mutably.
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [F]));

    /// Walks `self` and `K` other values of the same type in step, calling `f` on matching
    /// slices. Optimizers use it to update parameters from gradients and their own state.
    fn zip_mut<const K: usize>(
        &mut self,
        others: [&mut Self; K],
        f: &mut impl FnMut(&mut [F], [&mut [F]; K]),
    );

    /// Sets every parameter to zero (for example, gradients before the next step).
    fn set_zero(&mut self) {
        self.visit_mut(&mut |s| s.fill(F::ZERO));
    }

    /// The `i`-th parameter in visiting order, or `None` past the end.
    fn param(&self, i: usize) -> Option<F> {
        let (mut offset, mut found) = (0, None);
        self.visit(&mut |s| {
            if found.is_none() && i >= offset && i < offset + s.len() {
                found = Some(s[i - offset]);
            }
            offset += s.len();
        });
        found
    }

    /// Sets the `i`-th parameter in visiting order; returns `false` (and changes nothing) past
    /// the end.
    fn set_param(&mut self, i: usize, value: F) -> bool {
        let (mut offset, mut done) = (0, false);
        self.visit_mut(&mut |s| {
            if !done && i >= offset && i < offset + s.len() {
                s[i - offset] = value;
                done = true;
            }
            offset += s.len();
        });
        done
    }

    /// The sum of the squares of all parameters.
    fn squared_norm(&self) -> F {
        let mut sum = F::ZERO;
        self.visit(&mut |s| s.iter().for_each(|&v| sum += v * v));
        sum
    }

    /// True when every parameter is finite (no NaN, no infinity).
    fn all_finite(&self) -> bool {
        let mut ok = true;
        self.visit(&mut |s| ok &= s.iter().all(|v| v.is_finite()));
        ok
    }
}

/// Implements [`ParamCount`], [`Params`], [`Init`](crate::init::Init) and
/// [`Tensors`](crate::io::Tensors) for a layer without trainable parameters (an activation,
/// a reshaping): what [`Trainer`](crate::train::Trainer), the initialisers and the weight files
/// need of every layer, here saying "nothing to train". `parameterless!(MyLayer<N>, const N)`
/// for a layer with a `usize` const parameter; any other generics go in brackets before the
/// type, as they would follow `impl`: `parameterless!([const CLIP: bool, G: Copy]
/// MyLayer<CLIP, G>)`. [`Zero`](crate::Zero) stays with the layer: its value is the layer's
/// own.
///
/// Only for layers that learn nothing. A field that training should change (a learned scale,
/// a learned slope) must be walked by a [`Params`] implementation of the layer's own, as in
/// the `custom_params` example: a field this macro hides is invisible to the optimizers, to
/// [`gradcheck`](crate::gradcheck::gradcheck) (which compares the parameters `Params` walks
/// and the input's gradient, and so passes) and to the weight files, and it never moves.
///
/// ```
/// use typed_nn::{Forward, Zero, parameterless};
///
/// /// Doubles its input.
/// #[derive(Clone, Copy, Debug, PartialEq)]
/// struct Double;
///
/// impl Zero for Double {
///     const ZERO: Self = Double;
/// }
/// parameterless!(Double);
///
/// impl<const N: usize> Forward<[f32; N]> for Double {
///     type Output = [f32; N];
///     type Cache = ();
///     const CACHE_FLOATS: usize = 0;
///     fn infer(&self, x: &[f32; N]) -> [f32; N] {
///         x.map(|v| 2.0 * v)
///     }
///     fn forward(&self, x: &[f32; N], out: &mut [f32; N], _: &mut ()) {
///         *out = self.infer(x);
///     }
/// }
///
/// let net = (typed_nn::Linear::<1, 1>::from_parts([[1.5]], [0.0]), Double);
/// assert_eq!(net.infer(&[1.0]), [3.0]);
/// ```
#[macro_export]
macro_rules! parameterless {
    // The implementations, for the layer's generics and the float type's parameter `$float`.
    (@impl [$($generics:tt)*] $layer:ty, $float:ident) => {
        impl<$($generics)*> $crate::module::ParamCount for $layer {
            const PARAM_COUNT: usize = 0;
        }
        impl<$float: $crate::Float, $($generics)*> $crate::module::Params<$float> for $layer {
            // Inlined, so that a check over a small model's gradients runs in registers.
            #[inline(always)]
            fn visit(&self, _: &mut impl FnMut(&[$float])) {}
            fn visit_mut(&mut self, _: &mut impl FnMut(&mut [$float])) {}
            // Generic parameters of a macro's own items are not hygienic: named so that they
            // cannot be the layer's (`K`, `R`).
            fn zip_mut<const PARAMETERLESS_COPIES: usize>(
                &mut self,
                _: [&mut Self; PARAMETERLESS_COPIES],
                _: &mut impl FnMut(&mut [$float], [&mut [$float]; PARAMETERLESS_COPIES]),
            ) {
            }
        }
        impl<$($generics)*> $crate::init::Init for $layer {
            fn init<ParameterlessRng: $crate::init::Generator + ?Sized>(
                &mut self,
                _: $crate::init::Scheme,
                _: &mut ParameterlessRng,
            ) {
            }
        }
        impl<$($generics)*> $crate::io::Tensors for $layer {
            fn tensors(layer: &mut dyn FnMut(&'static str, &[$crate::io::TensorShape])) {
                layer(core::any::type_name::<Self>(), &[]);
            }
        }
    };
    // Any generics, in brackets before the type; the float type's parameter is named so that
    // it cannot be one of them.
    ([$($generics:tt)*] $layer:ty) => {
        $crate::parameterless!(@impl [$($generics)*] $layer, ParamFloat);
    };
    // The float type's parameter is `F` here, as a compile error lists it.
    ($layer:ty $(, const $n:ident)?) => {
        $crate::parameterless!(@impl [$(const $n: usize)?] $layer, F);
    };
}
