//! Shape rules that need arithmetic, proven at the type level with `typenum`.
//!
//! Stable Rust cannot write `[F; R * C]` for generic `R` and `C`, and a `const { assert!() }`
//! fires only when code is generated, which `cargo check` never does. So each rule is a trait
//! of this crate, implemented when a `typenum` proof goes through: `cargo check` reports a
//! broken rule as an unmet bound, with a one-line message instead of typenum's `UInt<UInt<..>>`.
//!
//! typenum maps every integer up to 4096 to a type (and larger powers of 2 and 10), so the
//! dimensions in such a rule must stay within that range.

use core::ops::Mul;

use typenum::{Const, Prod, Same, ToUInt, U};

/// Proof that `R * C == N`: the shape rule of [`Flatten`](crate::Flatten).
///
/// ```
/// use typed_nn::shape::ProductIs;
/// fn rows_times_cols<const R: usize, const C: usize, const N: usize>()
/// where
///     (): ProductIs<R, C, N>,
/// {
/// }
/// rows_times_cols::<8, 8, 64>();
/// ```
#[diagnostic::on_unimplemented(
    message = "cannot flatten {R} x {C} into {N} features",
    label = "{R} x {C} is not {N}",
    note = "`Flatten<N>` takes `[[F; C]; R]` with R * C == N (each at most 4096)"
)]
pub trait ProductIs<const R: usize, const C: usize, const N: usize> {}

#[diagnostic::do_not_recommend]
impl<const R: usize, const C: usize, const N: usize> ProductIs<R, C, N> for ()
where
    Const<R>: ToUInt,
    Const<C>: ToUInt,
    Const<N>: ToUInt,
    U<R>: Mul<U<C>>,
    Prod<U<R>, U<C>>: Same<U<N>>,
{
}
