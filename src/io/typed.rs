//! Byte images whose length is computed at the type level.
//!
//! A model's image is `12 + count * size_of::<F>()` bytes, where `count` is the sum of its
//! layers' parameter counts. Stable Rust cannot write that length as an array length in generic
//! code, so it is computed with `typenum` and the image is a `generic_array::GenericArray`:
//! generic code can return a whole model's image by value, with no allocation and no
//! buffer-size argument.

use core::ops::{Add, Mul};

use generic_array::{ArrayLength, GenericArray};
use typenum::{Const, Prod, Sum, ToUInt, U, U0, U12, Unsigned};

use crate::chain::for_each_tuple;
use crate::float::Float;
use crate::io::image::Image;
use crate::layers::{Flatten, Identity, LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh};

/// A model's parameter count as a `typenum` number. Its value equals
/// [`ParamCount::PARAM_COUNT`](crate::ParamCount::PARAM_COUNT); layer dimensions must be at
/// most 4096 for `typenum` to map them.
pub trait ParamLen {
    /// The parameter count.
    type Len: Unsigned;
}

impl<const IN: usize, const OUT: usize, F> ParamLen for Linear<IN, OUT, F>
where
    Const<IN>: ToUInt,
    Const<OUT>: ToUInt,
    U<IN>: Mul<U<OUT>>,
    Prod<U<IN>, U<OUT>>: Add<U<OUT>>,
    Sum<Prod<U<IN>, U<OUT>>, U<OUT>>: Unsigned,
{
    type Len = Sum<Prod<U<IN>, U<OUT>>, U<OUT>>;
}

macro_rules! no_params {
    ($($layer:ty),*) => {$(
        impl ParamLen for $layer {
            type Len = U0;
        }
    )*};
}
no_params!(Sigmoid, Tanh, ReLU, LeakyReLU, Identity, Softmax);

impl<const N: usize> ParamLen for Flatten<N> {
    type Len = U0;
}

/// A tuple's count is its first layer's plus the rest's, so each arity reuses the one below.
macro_rules! tuple_len {
    ($L0:ident) => {
        impl<$L0: ParamLen> ParamLen for ($L0,) {
            type Len = $L0::Len;
        }
    };
    ($L0:ident $(, $L:ident)+) => {
        impl<$L0: ParamLen, $($L: ParamLen),+> ParamLen for ($L0, $($L),+)
        where
            ($($L,)+): ParamLen,
            $L0::Len: Add<<($($L,)+) as ParamLen>::Len>,
            Sum<$L0::Len, <($($L,)+) as ParamLen>::Len>: Unsigned,
        {
            type Len = Sum<$L0::Len, <($($L,)+) as ParamLen>::Len>;
        }
    };
}
for_each_tuple!(tuple_len);

/// The length of the byte image of model `M` with floats `F`: 12 + count x size.
pub type ImageLen<M, F> = Sum<U12, Prod<<M as ParamLen>::Len, <F as Float>::Size>>;

/// The byte image of `model` (see [`Image`] for the layout), returned by value in an array
/// whose length the compiler computes from the model's type.
///
/// ```
/// use typed_nn::io::{Image, to_image};
/// use typed_nn::{Linear, Tanh, Zero};
/// type Net = (Linear<1, 16>, Tanh, Linear<16, 16>, Tanh, Linear<16, 1>);
/// let image = to_image::<f32, _>(&Net::ZERO);
/// assert_eq!(image.len(), 12 + 4 * (32 + 272 + 17));
/// let mut net = Net::ZERO;
/// net.read_image(&image)?;
/// # Ok::<(), typed_nn::io::ImageError>(())
/// ```
pub fn to_image<F, M>(model: &M) -> GenericArray<u8, ImageLen<M, F>>
where
    F: Float,
    M: Image<F> + ParamLen,
    M::Len: Mul<F::Size>,
    U12: Add<Prod<M::Len, F::Size>>,
    ImageLen<M, F>: ArrayLength,
{
    let mut image = GenericArray::<u8, ImageLen<M, F>>::default();
    // The length is `IMAGE_BYTES` by construction (the typenum sum mirrors `PARAM_COUNT`),
    // which the crate's tests check for every layer kind, so this write cannot fail.
    let written = model.write_image(&mut image);
    debug_assert_eq!(written, Ok(image.len()));
    image
}
