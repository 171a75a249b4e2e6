//! Why a network of bumps could not be built.

use core::fmt;

use crate::float::Readable;

/// Why [`try_bumps`](super::try_bumps), [`try_bumps_with_steepness`](super::try_bumps_with_steepness)
/// or [`try_bump`](super::try_bump) built no network (the functions without `try_` panic with
/// this message instead).
///
/// ```
/// use typed_nn::universal::{BumpsError, try_bumps, Bumps};
///
/// let reversed = try_bumps::<10, f32>(f64::sin, 1.0, 0.0);
/// assert_eq!(reversed.unwrap_err(), BumpsError::Interval { lo: 1.0, hi: 0.0 });
///
/// // ln is not finite at the first piece's midpoint of [-1, 1].
/// let err = try_bumps::<4, f64>(f64::ln, -1.0, 1.0).unwrap_err();
/// assert_eq!(err.to_string(), "f(-0.5) is NaN: every bump's height, f at the middle of its piece, must be finite");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum BumpsError {
    /// `lo` and `hi` (or a bump's `a` and `b`) are not finite with `lo < hi`.
    Interval {
        /// The interval's lower end.
        lo: f64,
        /// Its upper end.
        hi: f64,
    },
    /// The steepness is not finite and positive.
    Steepness {
        /// The steepness given.
        steepness: f64,
    },
    /// `f` is not finite at the midpoint `x` of a piece.
    Height {
        /// Where `f` was taken.
        x: f64,
        /// What it gave.
        value: f64,
    },
    /// The height given to [`bump`](super::bump) is not finite.
    BumpHeight {
        /// The height given.
        height: f64,
    },
    /// A bump would be narrower than the steepness times the spacing of the float type's
    /// numbers near the interval, where rounding moves the sigmoids' edges by a sizeable part
    /// of their rise.
    TooNarrow {
        /// The float type's name.
        float: &'static str,
        /// The width of a bump.
        width: f64,
        /// The interval's lower end.
        lo: f64,
        /// Its upper end.
        hi: f64,
        /// The spacing of the float type's numbers near the interval.
        spacing: f64,
        /// The steepness given.
        steepness: f64,
    },
    /// A weight, bias or height is not finite once rounded to the float type: an interval
    /// too wide or too narrow for it, heights beyond its range, or a steepness so small that
    /// the outer bumps' sides, `40 / slope` beyond the interval, overflow.
    NotRepresentable {
        /// The float type's name.
        float: &'static str,
        /// The interval's lower end.
        lo: f64,
        /// Its upper end.
        hi: f64,
    },
    /// The sigmoids' slope, the steepness over the bump width, is zero or subnormal in the
    /// float type: the interval is too wide for it, or the steepness too small.
    SlopeVanishes {
        /// The float type's name.
        float: &'static str,
        /// The slope, in `f64`.
        slope: f64,
        /// The steepness given.
        steepness: f64,
        /// The interval's lower end.
        lo: f64,
        /// Its upper end.
        hi: f64,
    },
}

impl fmt::Display for BumpsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            BumpsError::Interval { lo, hi } => write!(
                f,
                "the interval [{}, {}] must be finite with lo < hi",
                Readable(lo),
                Readable(hi)
            ),
            BumpsError::Steepness { steepness } => write!(
                f,
                "the steepness must be finite and positive, not {}",
                Readable(steepness)
            ),
            BumpsError::Height { x, value } => write!(
                f,
                "f({}) is {}: every bump's height, f at the middle of its piece, must be finite",
                Readable(x),
                Readable(value)
            ),
            BumpsError::BumpHeight { height } => write!(
                f,
                "the bump's height must be finite, not {}",
                Readable(height)
            ),
            BumpsError::TooNarrow {
                float,
                width,
                lo,
                hi,
                spacing,
                steepness,
            } => {
                write!(
                    f,
                    "{float} cannot place bumps {width:e} wide on [{}, {}]: its numbers there are about {spacing:e} apart, and a bump must span at least the steepness ({}) times that (make the bumps wider or the steepness lower",
                    Readable(lo),
                    Readable(hi),
                    Readable(steepness)
                )?;
                if float == core::any::type_name::<f64>() {
                    f.write_str(")")
                } else {
                    f.write_str(", or use f64)")
                }
            }
            BumpsError::NotRepresentable { float, lo, hi } => write!(
                f,
                "the network for [{}, {}] has parameters that are not finite in {float} (an interval too wide or too narrow for it, heights beyond its range, or a steepness too small)",
                Readable(lo),
                Readable(hi)
            ),
            BumpsError::SlopeVanishes {
                float,
                slope,
                steepness,
                lo,
                hi,
            } => write!(
                f,
                "the sigmoids' slope {slope:e} (the steepness {} over the bumps' width) is zero or subnormal in {float}: the interval [{}, {}] is too wide for it, or the steepness too small",
                Readable(steepness),
                Readable(lo),
                Readable(hi)
            ),
        }
    }
}

impl core::error::Error for BumpsError {}
