//! Random initialisation of weights from any seeded [`rand::Rng`].
//!
//! - **Glorot (Xavier) uniform** keeps the variance of activations and gradients roughly equal
//!   across layers for sigmoid and tanh: weights drawn from U(-a, a) with
//!   a = sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010).
//! - **He (Kaiming) uniform** compensates for ReLU zeroing half of its inputs: U(-a, a) with
//!   a = sqrt(6 / fan_in), i.e. variance 2 / fan_in (He et al., 2015).
//!
//! Biases start at zero. Draws go through `f64` and are then rounded to the model's float type,
//! so the same seed gives bit-identical models on every platform.

use rand::{Rng, RngExt};

use crate::float::Float;

/// Which distribution initial weights are drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Glorot/Xavier uniform, for sigmoid and tanh layers.
    Glorot,
    /// He/Kaiming uniform, for ReLU layers.
    He,
}

impl Scheme {
    /// The half-width `a` of the uniform distribution U(-a, a) for a layer with these fans.
    ///
    /// ```
    /// use typed_nn::init::Scheme;
    /// assert_eq!(Scheme::Glorot.bound(4, 2), 1.0);
    /// assert_eq!(Scheme::He.bound(6, 100), 1.0);
    /// ```
    pub fn bound(self, fan_in: usize, fan_out: usize) -> f64 {
        match self {
            Scheme::Glorot => num_traits::Float::sqrt(6.0 / (fan_in + fan_out) as f64),
            Scheme::He => num_traits::Float::sqrt(6.0 / fan_in as f64),
        }
    }
}

/// A random number generator of `rand` 0.10, the version the crate is built on (and
/// re-exports as `typed_nn::rand`): what initialisers, [`Trainer::fit`](crate::train::Trainer::fit)
/// and [`shuffle_together`](crate::train::shuffle_together) take. Every [`rand::Rng`] of that
/// version is one; a generator of another version of `rand` implements that version's traits,
/// not these, and this trait's message says so where rustc's would speak of `DerefMut`.
///
/// ```
/// use typed_nn::init::Generator;
/// use typed_nn::rand::{SeedableRng, rngs::SmallRng};
/// fn layer<R: Generator + ?Sized>(rng: &mut R) -> typed_nn::Linear<2, 3> {
///     typed_nn::Linear::glorot(rng)
/// }
/// let _ = layer(&mut SmallRng::seed_from_u64(0));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a random number generator of `rand` 0.10, the version typed-nn takes",
    label = "a generator of another version of `rand`?",
    note = "typed-nn is built on `rand` 0.10 and re-exports it: make the generator with `typed_nn::rand` (or depend on `rand = \"0.10\"`); a generator of another version implements that version's traits"
)]
pub trait Generator: Rng {}

impl<R: Rng + ?Sized> Generator for R {}

/// Draws one value from U(-bound, bound).
pub(crate) fn uniform<F: Float, R: Rng + ?Sized>(rng: &mut R, bound: f64) -> F {
    let u: f64 = rng.random();
    F::from_f64((2.0 * u - 1.0) * bound)
}

/// Re-initialises every trainable layer of a model in place.
///
/// ```
/// use typed_nn::rand::{SeedableRng, rngs::SmallRng};
/// use typed_nn::{init::{Init, Scheme}, Linear, ReLU, Zero};
/// let mut net = <(Linear<4, 8>, ReLU, Linear<8, 2>)>::ZERO;
/// net.init(Scheme::He, &mut SmallRng::seed_from_u64(7));
/// assert!(net.0.weight.iter().flatten().any(|&w| w != 0.0));
/// ```
pub trait Init {
    /// Draws new weights from `scheme` and sets biases to zero.
    fn init<R: Generator + ?Sized>(&mut self, scheme: Scheme, rng: &mut R);
}
