//! Memory a model needs, known at compile time.
//!
//! Every buffer of inference and training has a size fixed by the model's type, so firmware can
//! check a RAM budget before it runs, in a `const` item:
//!
//! ```
//! use typed_nn::footprint::Footprint;
//! use typed_nn::optim::Sgd;
//! use typed_nn::train::Trainer;
//! use typed_nn::{Linear, Sigmoid};
//!
//! type Net = (Linear<2, 4>, Sigmoid, Linear<4, 1>);
//! const STEP: usize = Trainer::<Net, [f32; 2], Sgd>::STEP_BYTES;
//! const _: () = assert!(<Net as Footprint<[f32; 2]>>::PARAM_BYTES + STEP <= 1024);
//! assert_eq!(<Net as Footprint<[f32; 2]>>::PARAM_BYTES, 17 * 4);
//! assert_eq!(<Net as Footprint<[f32; 2]>>::CACHE_BYTES, 2 * 2 * 4 * 4); // h and dh, z and dz
//! ```

use crate::float::Float;
use crate::module::{Forward, ParamCount};
use crate::tensor::Tensor;

/// Bytes of a model's parameters, of its training cache and of one output, for input `X`.
/// Implemented for every model.
pub trait Footprint<X>: Forward<X> + ParamCount {
    /// Bytes of the parameters: what the model (and each copy of it: gradients, momentum,
    /// Adam's moments) occupies.
    const PARAM_BYTES: usize;
    /// Bytes of the cache a training forward pass fills (intermediate activations and room for
    /// their gradients).
    const CACHE_BYTES: usize;
    /// Bytes of one output (and of its gradient).
    const OUTPUT_BYTES: usize;
}

impl<X, M: Forward<X> + ParamCount> Footprint<X> for M {
    const PARAM_BYTES: usize = M::PARAM_COUNT * <<M::Output as Tensor>::Elem as Float>::BYTES;
    const CACHE_BYTES: usize = M::CACHE_FLOATS * <<M::Output as Tensor>::Elem as Float>::BYTES;
    const OUTPUT_BYTES: usize =
        <M::Output as Tensor>::LEN * <<M::Output as Tensor>::Elem as Float>::BYTES;
}
