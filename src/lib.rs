//! # typed-nn
//!
//! Multilayer perceptrons whose shapes are checked by the compiler.
//!
//! A model is a tuple of layers whose widths are const generics. `Linear<2, 16>` followed by
//! `Sigmoid` and `Linear<16, 1>` is a network from 2 inputs through 16 hidden features to one
//! output, and rustc checks every connection: a mis-wired network does not compile, and the
//! error names the layer and the input it cannot take.
//!
//! ```
//! use typed_nn::rand::{SeedableRng, rngs::SmallRng};
//! use typed_nn::prelude::*;
//!
//! let mut rng = SmallRng::seed_from_u64(42);
//! let mut net = (Linear::<2, 8>::glorot(&mut rng), Sigmoid, Linear::<8, 1>::glorot(&mut rng));
//! let mut trainer = Trainer::new(Adam::new(0.05));
//! let xor = [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])];
//! for _ in 0..500 {
//!     for (x, t) in &xor {
//!         trainer.step(&mut net, x, t, &BinaryCrossEntropy)?;
//!     }
//! }
//! for (x, t) in &xor {
//!     let logit = net.infer(x)[0];
//!     assert_eq!(logit > 0.0, t[0] == 1.0);
//! }
//! # Ok::<(), typed_nn::train::TrainError>(())
//! ```
//!
//! A width that does not fit is a compile error:
//!
//! ```compile_fail,E0277
//! use typed_nn::prelude::*;
//! let net = (Linear::<2, 16>::ZERO, Sigmoid, Linear::<8, 1>::ZERO);
//! net.infer(&[0.0, 1.0]); // shape mismatch: `Linear<8, 1, f32>` cannot take input `[f32; 16]`
//! ```
//!
//! ## The ideas, and where they live
//!
//! - **A model M(x, w) trained by gradient descent on a loss.** Layers implement
//!   [`Forward`]; [`Loss`] measures the error; an [`Optimizer`](optim::Optimizer) moves the
//!   parameters `w` against the gradient.
//! - **Linear and logistic regression are the one-layer case**: `Linear<D, 1>` with [`Mse`], or
//!   with [`BinaryCrossEntropy`] on its logit.
//! - **Hidden features** `h = sigma(W1 x + b1)`, `y = W2 h + b2`: `(Linear<D, H>, Sigmoid,
//!   Linear<H, C>)`. The non-linearity is needed: two stacked linear maps are one linear map.
//! - **Parameter counts** are associated consts ([`ParamCount`]): `D*H + H + H*C + C` for the
//!   network above.
//! - **Universal approximation**: two steep sigmoids make a bump; a sum of bumps approximates
//!   any continuous function, which a hidden layer can represent (`examples/sine.rs` fits
//!   sin on [0, 2 pi] within 0.02 with 32 tanh units).
//! - **Backpropagation**: the forward pass caches intermediate values; the backward pass
//!   ([`Backward`]) applies the chain rule in reverse order over the same graph, at a small
//!   multiple of the forward cost. [`gradcheck`](gradcheck::gradcheck) verifies it against
//!   finite differences.
//! - **XOR**: a single perceptron cannot separate it; one hidden layer can (`examples/xor.rs`).
//!
//! ## Shapes
//!
//! A sample is a plain array `[F; N]`, a batch of `B` samples `[[F; N]; B]`; every layer and
//! loss takes both. Activations take any shape, so widths are written once. Rules that need
//! arithmetic, such as [`Flatten`]'s `R * C == N`, hold for every size and are checked when
//! code is generated ([`shape`]).
//!
//! ## Without the standard library
//!
//! The crate is `#![no_std]`. Without default features it needs no allocator: every buffer is
//! an array whose size is known at compile time, models can be `static`, inference takes
//! `&self`, and training needs only a [`Trainer`](train::Trainer) value.
//!
//! ## Features
//!
//! - `std` (default): implies `alloc`; adds files: [`Dataset::load`](data::Dataset::load),
//!   [`io::save`] and [`io::load`], [`io::safetensors::save`], `save_named` and `load_file*`;
//!   and, on x86-64, the run-time choice of AVX-512 or AVX2 kernels.
//! - `parallel`: implies `std`; large layer passes and optimizer steps are split between two
//!   threads of rayon's pool, when the pool that runs them has more than one (in a pool of
//!   one, or with `RAYON_NUM_THREADS=1`, they run as without the feature). Off by default:
//!   the default build is single-threaded. Train inside the pool
//!   (`pool.install(|| trainer.step(..))`) for the full speed-up: from a thread outside it
//!   each split is handed to the pool and back.
//! - `alloc`: growable data sets ([`data`]): CSV parsing, the train/test split, standardisation;
//!   models and training state built directly on the heap ([`boxed`]); weights written to
//!   bytes in memory ([`io::safetensors::to_bytes`], `Quantized::to_bytes`); Flax `kernel`s
//!   and metadata aliases read from safetensors files; products of large
//!   layers blocked for the caches, whose scratch space each thread (without `std`, the whole
//!   program) allocates once and keeps.
//!
//! With neither, the crate builds for `thumbv7em-none-eabihf` and similar targets.
#![no_std]
#![deny(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

#[cfg(feature = "alloc")]
extern crate alloc;
// Firmware depends on the crate without its default features: say so. Rustc's own errors that
// `std` (and, with `-Zbuild-std=core`, `alloc`) cannot be found come first, and do not name
// the feature; this one does.
#[cfg(all(feature = "std", target_os = "none"))]
compile_error!(
    "typed-nn's feature `std` (on by default) needs an operating system: for firmware, depend on it with `default-features = false` (and `features = [\"alloc\"]` where there is an allocator)"
);
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "alloc")]
pub mod boxed;
pub mod chain;
#[cfg(feature = "alloc")]
pub mod data;
#[cfg(feature = "alloc")]
mod deferred;
pub mod describe;
pub mod eval;
mod float;
pub mod footprint;
pub mod gradcheck;
pub mod init;
pub mod io;
mod kernels;
pub mod layers;
mod loss;
mod math;
pub mod module;
pub mod optim;
pub mod quant;
pub mod shape;
mod simd;
mod tensor;
pub mod train;
pub mod universal;

/// The numeric traits behind [`Float`]: `use typed_nn::num_traits::Float as _;` brings their
/// methods (`exp`, `ln`, `tanh`, ...) into scope on a tensor's element type, as a custom layer
/// generic over `T: Tensor` needs.
pub use num_traits;
/// The `rand` this crate is built with (0.10), so that a program's random number generators
/// are the ones its initialisers and shuffling take: `use typed_nn::rand::{SeedableRng,
/// rngs::SmallRng}` needs no `rand` of its own, and cannot pick another version.
///
/// It is built without `rand`'s default features (so that it works without `std`): it has
/// `SmallRng` seeded with `seed_from_u64`, but neither `rand::rng()` nor `StdRng`. A program
/// that wants an operating-system seed depends on `rand = "0.10"` itself, whose generators
/// are these same types (an `rng()` of another `rand` version is another type, which the
/// initialisers do not take).
pub use rand;

pub use float::Float;
pub use layers::*;
pub use loss::{BinaryCrossEntropy, Loss, Mse, ScoredBy, SoftmaxCrossEntropy, TargetError};
pub use module::{Backward, Forward, ParamCount, Params};
pub use tensor::{Tensor, Zero};

/// Everything a program that builds and trains a model needs, in one import.
pub mod prelude {
    pub use crate::Float;
    pub use crate::init::{Init, Scheme};
    pub use crate::io::Image;
    pub use crate::layers::*;
    pub use crate::loss::{BinaryCrossEntropy, Loss, Mse, SoftmaxCrossEntropy};
    pub use crate::module::{Backward, Forward, ParamCount, Params};
    pub use crate::optim::{Adam, Optimizer, Sgd, SgdMomentum};
    pub use crate::tensor::{Tensor, Zero};
    pub use crate::train::{Classifier, Trainer, accuracy, argmax, shuffle_together};
}

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;
