//! Plain arrays as tensors: a sample is `[F; N]`, a batch `[[F; N]; B]`, a batch of matrices
//! `[[[F; C]; R]; B]`, a batch of images with channels `[[[[F; C]; R]; D]; B]`. Elementwise
//! layers and losses see any of them as one flat slice.

use crate::float::Float;

/// A value with an all-zero constant, usable in `const` and `static` items.
///
/// Every layer, model, cache and tensor of the crate implements it, so a whole model or training
/// workspace can be created without an allocator and without `Default` (which arrays only have
/// up to 32 elements).
///
/// ```
/// use typed_nn::{Linear, Sigmoid, Zero};
/// static NET: (Linear<2, 3>, Sigmoid) = <(Linear<2, 3>, Sigmoid)>::ZERO;
/// assert_eq!(NET.0.bias, [0.0; 3]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no zero value: it does not implement `Zero`",
    label = "`{Self}` is not a layer, model or tensor of this crate",
    note = "every layer implements `Zero` (one written by hand without parameters gets it from `parameterless!`); a model is a tuple of at most 16 layers (nest tuples for more), and a boxed model is passed as `&mut *model`"
)]
pub trait Zero: Sized {
    /// The value whose every number is zero.
    const ZERO: Self;
}

impl<T: Zero + Copy, const N: usize> Zero for [T; N] {
    const ZERO: Self = [T::ZERO; N];
}

impl Zero for () {
    const ZERO: Self = ();
}

impl Zero for usize {
    const ZERO: Self = 0;
}

/// An array of floats of rank 1 to 4, viewed as one contiguous slice.
///
/// Arrays have no padding, so `[[F; N]; B]` is `B * N` floats in row-major order. `ROW` is the
/// length of the innermost axis: the axis a softmax normalises over.
///
/// ```
/// use typed_nn::Tensor;
/// let batch = [[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
/// assert_eq!(batch.flat(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// assert_eq!(<[[f32; 2]; 3] as Tensor>::LEN, 6);
/// assert_eq!(<[[f32; 2]; 3] as Tensor>::ROW, 2);
/// ```
pub trait Tensor: Zero + Copy {
    /// The scalar type.
    type Elem: Float;
    /// The number of scalars.
    const LEN: usize;
    /// The length of the innermost axis.
    const ROW: usize;
    /// All scalars in row-major order.
    fn flat(&self) -> &[Self::Elem];
    /// All scalars in row-major order, mutable.
    fn flat_mut(&mut self) -> &mut [Self::Elem];
}

impl<F: Float, const N: usize> Tensor for [F; N] {
    type Elem = F;
    const LEN: usize = N;
    const ROW: usize = N;
    #[inline(always)]
    fn flat(&self) -> &[F] {
        self
    }
    #[inline(always)]
    fn flat_mut(&mut self) -> &mut [F] {
        self
    }
}

impl<F: Float, const N: usize, const B: usize> Tensor for [[F; N]; B] {
    type Elem = F;
    const LEN: usize = N * B;
    const ROW: usize = N;
    #[inline(always)]
    fn flat(&self) -> &[F] {
        self.as_flattened()
    }
    #[inline(always)]
    fn flat_mut(&mut self) -> &mut [F] {
        self.as_flattened_mut()
    }
}

impl<F: Float, const C: usize, const R: usize, const B: usize> Tensor for [[[F; C]; R]; B] {
    type Elem = F;
    const LEN: usize = C * R * B;
    const ROW: usize = C;
    #[inline(always)]
    fn flat(&self) -> &[F] {
        self.as_flattened().as_flattened()
    }
    #[inline(always)]
    fn flat_mut(&mut self) -> &mut [F] {
        self.as_flattened_mut().as_flattened_mut()
    }
}

impl<F: Float, const C: usize, const R: usize, const D: usize, const B: usize> Tensor
    for [[[[F; C]; R]; D]; B]
{
    type Elem = F;
    const LEN: usize = C * R * D * B;
    const ROW: usize = C;
    #[inline(always)]
    fn flat(&self) -> &[F] {
        self.as_flattened().as_flattened().as_flattened()
    }
    #[inline(always)]
    fn flat_mut(&mut self) -> &mut [F] {
        self.as_flattened_mut()
            .as_flattened_mut()
            .as_flattened_mut()
    }
}
