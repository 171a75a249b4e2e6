//! Flattening a matrix sample into a vector of features.

use crate::float::Float;
use crate::module::{Backward, Forward, parameterless};
use crate::shape::ProductIs;
use crate::tensor::Zero;

/// Flattens a sample `[[F; C]; R]` (for example an 8x8 image) into `[F; N]`, row by row, and a
/// batch `[[[F; C]; R]; B]` into `[[F; N]; B]`.
///
/// `R * C == N` is proven by the compiler ([`ProductIs`]): a flatten that would drop or invent
/// features does not compile, and says "cannot flatten 8 x 8 into 63 features".
///
/// ```
/// use typed_nn::{Flatten, Forward};
/// let image = [[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
/// assert_eq!(Flatten::<6>.infer(&image), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flatten<const N: usize>;

impl<const N: usize> Zero for Flatten<N> {
    const ZERO: Self = Flatten;
}

parameterless!(Flatten<N>, const N);

impl<F: Float, const R: usize, const C: usize, const N: usize> Forward<[[F; C]; R]> for Flatten<N>
where
    (): ProductIs<R, C, N>,
{
    type Output = [F; N];
    type Cache = ();
    const CACHE_FLOATS: usize = 0;

    fn infer(&self, x: &[[F; C]; R]) -> [F; N] {
        let mut y = [F::ZERO; N];
        // R * C == N is proven by the bound, so the lengths agree.
        y.copy_from_slice(x.as_flattened());
        y
    }

    fn forward(&self, x: &[[F; C]; R], out: &mut [F; N], _: &mut ()) {
        out.copy_from_slice(x.as_flattened());
    }
}

impl<F: Float, const R: usize, const C: usize, const N: usize> Backward<[[F; C]; R]> for Flatten<N>
where
    (): ProductIs<R, C, N>,
{
    fn backward(
        &self,
        _: &[[F; C]; R],
        _: &[F; N],
        d_out: &[F; N],
        _: &mut (),
        _: &mut Self,
        d_x: Option<&mut [[F; C]; R]>,
    ) {
        if let Some(d_x) = d_x {
            d_x.as_flattened_mut().copy_from_slice(d_out);
        }
    }
}

impl<F: Float, const R: usize, const C: usize, const N: usize, const B: usize>
    Forward<[[[F; C]; R]; B]> for Flatten<N>
where
    (): ProductIs<R, C, N>,
{
    type Output = [[F; N]; B];
    type Cache = ();
    const CACHE_FLOATS: usize = 0;

    fn infer(&self, x: &[[[F; C]; R]; B]) -> [[F; N]; B] {
        let mut y = [[F::ZERO; N]; B];
        self.forward(x, &mut y, &mut ());
        y
    }

    fn forward(&self, x: &[[[F; C]; R]; B], out: &mut [[F; N]; B], _: &mut ()) {
        let flat = x.as_flattened().as_flattened();
        out.as_flattened_mut().copy_from_slice(flat);
    }
}

impl<F: Float, const R: usize, const C: usize, const N: usize, const B: usize>
    Backward<[[[F; C]; R]; B]> for Flatten<N>
where
    (): ProductIs<R, C, N>,
{
    fn backward(
        &self,
        _: &[[[F; C]; R]; B],
        _: &[[F; N]; B],
        d_out: &[[F; N]; B],
        _: &mut (),
        _: &mut Self,
        d_x: Option<&mut [[[F; C]; R]; B]>,
    ) {
        if let Some(d_x) = d_x {
            let flat = d_x.as_flattened_mut().as_flattened_mut();
            flat.copy_from_slice(d_out.as_flattened());
        }
    }
}
