//! Flattening an image sample into a vector of features.

use crate::module::{Backward, Forward, parameterless};
use crate::shape::{ChannelsInput, FlattenInput};
use crate::tensor::{Tensor, Zero};

/// Flattens a sample `[[F; C]; R]` (for example an 8x8 image) into `[F; N]`, row by row, and a
/// batch `[[[F; C]; R]; B]` into `[[F; N]; B]`.
///
/// `R * C == N` is required for every size (28x28 = 784, 48x48 = 2304, 224x224 = 50,176, ...):
/// a flatten that would drop or invent features stops `cargo build` with "cannot flatten:
/// rows x columns must equal N" and the sizes ([`FlattenSizes`](crate::shape::FlattenSizes);
/// `cargo check` does not see this rule, see [`shape`](crate::shape)). An input that is not an
/// image, such as `[f32; 64]`, is a shape mismatch that `cargo check` reports.
///
/// ```
/// use typed_nn::{Flatten, Forward};
/// let image = [[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
/// assert_eq!(Flatten::<6>.infer(&image), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flatten<const N: usize>;

/// Flattens an image with channels, `[[[F; C]; R]; D]` (channels, rows, columns: PyTorch's
/// `C x H x W` order), into `[F; N]`, and a batch of them `[[[[F; C]; R]; D]; B]` into
/// `[[F; N]; B]`.
///
/// A rank-3 array is a batch of plain images to [`Flatten`] and one image with channels to
/// `FlattenChannels`: the two layers say which is meant. `D * R * C == N` is required for every
/// size ([`ChannelsSizes`](crate::shape::ChannelsSizes), checked by `cargo build`).
///
/// ```
/// use typed_nn::{FlattenChannels, Forward};
/// let rgb = [[[1.0f32, 2.0]], [[3.0, 4.0]], [[5.0, 6.0]]]; // 3 channels of 1 x 2
/// assert_eq!(FlattenChannels::<6>.infer(&rgb), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlattenChannels<const N: usize>;

impl<const N: usize> Zero for Flatten<N> {
    const ZERO: Self = Flatten;
}

impl<const N: usize> Zero for FlattenChannels<N> {
    const ZERO: Self = FlattenChannels;
}

parameterless!(Flatten<N>, const N);
parameterless!(FlattenChannels<N>, const N);

impl<X: FlattenInput<N>, const N: usize> Forward<X> for Flatten<N> {
    type Output = X::Output;
    type Cache = ();
    const CACHE_FLOATS: usize = 0;

    fn infer(&self, x: &X) -> X::Output {
        let mut y = X::Output::ZERO;
        self.forward(x, &mut y, &mut ());
        y
    }

    fn forward(&self, x: &X, out: &mut X::Output, _: &mut ()) {
        // Evaluating the constant proves the sizes, so the lengths agree.
        let _ = X::CHECKED_BATCH;
        out.flat_mut().copy_from_slice(x.flat());
    }
}

impl<X: FlattenInput<N>, const N: usize> Backward<X> for Flatten<N> {
    fn backward(
        &self,
        _: &X,
        _: &X::Output,
        d_out: &X::Output,
        _: &mut (),
        _: &mut Self,
        d_x: Option<&mut X>,
    ) {
        // The sizes were proven by the forward pass this backward pass follows.
        if let Some(d_x) = d_x {
            d_x.flat_mut().copy_from_slice(d_out.flat());
        }
    }
}

impl<X: ChannelsInput<N>, const N: usize> Forward<X> for FlattenChannels<N> {
    type Output = X::Output;
    type Cache = ();
    const CACHE_FLOATS: usize = 0;

    fn infer(&self, x: &X) -> X::Output {
        let mut y = X::Output::ZERO;
        self.forward(x, &mut y, &mut ());
        y
    }

    fn forward(&self, x: &X, out: &mut X::Output, _: &mut ()) {
        let _ = X::CHECKED_BATCH;
        out.flat_mut().copy_from_slice(x.flat());
    }
}

impl<X: ChannelsInput<N>, const N: usize> Backward<X> for FlattenChannels<N> {
    fn backward(
        &self,
        _: &X,
        _: &X::Output,
        d_out: &X::Output,
        _: &mut (),
        _: &mut Self,
        d_x: Option<&mut X>,
    ) {
        // The sizes were proven by the forward pass this backward pass follows.
        if let Some(d_x) = d_x {
            d_x.flat_mut().copy_from_slice(d_out.flat());
        }
    }
}
