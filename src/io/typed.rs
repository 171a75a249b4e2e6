//! A model's byte image as a value whose length the compiler knows.
//!
//! A model of `count` parameters has an image of `12 + count * size_of::<F>() + 8` bytes
//! (header, parameters, layout, checksum). Stable Rust cannot write that length as an array length in
//! generic code, but it does not need to: a model holds its parameters inline, so it is at
//! least `count * size_of::<F>()` bytes, and a header, a layout and a checksum around storage the size
//! of the model have room for the image, for every layer width.

use core::fmt;
use core::mem::{MaybeUninit, size_of};
use core::ops::Deref;

use crate::float::Float;
use crate::io::image::{CHECKSUM_BYTES, HEADER_BYTES, Image, ImageError, LAYOUT_BYTES};

/// The byte image of a model `M` (see [`Image`] for the layout), held by value: no allocation,
/// no buffer-size argument. It dereferences to `[u8]`.
///
/// Its storage is a header, room the size of `M`, a layout and a checksum: exactly the image for a
/// model of `Linear` layers and activations, a few bytes more when a layer has settings (the
/// slope of a `LeakyReLU`), which the image does not include; the image's layout and checksum
/// then lie at the end of the parameters, inside the room.
#[repr(C, packed)]
pub struct ImageBytes<M> {
    header: [u8; HEADER_BYTES],
    // Holds the parameters' little-endian bytes, not an `M`: only its size is used.
    params: MaybeUninit<M>,
    trailer: [u8; LAYOUT_BYTES + CHECKSUM_BYTES],
    len: usize,
}

impl<M> Deref for ImageBytes<M> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        // SAFETY: the struct is packed (alignment 1, no padding), `len` is at most the header,
        // storage and trailer, and `to_image` initialises every byte of the three before
        // handing it out.
        unsafe { core::slice::from_raw_parts((self as *const Self).cast(), self.len) }
    }
}

impl<M> AsRef<[u8]> for ImageBytes<M> {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl<M> fmt::Debug for ImageBytes<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ImageBytes({} bytes)", self.len())
    }
}

/// Checked when code is generated: the model holds its parameters inline.
struct SizeMatches<M, F>(M, F);

impl<F: Float, M: Image<F>> SizeMatches<M, F> {
    const HOLDS: () = assert!(
        size_of::<M>() >= M::PARAM_COUNT * F::BYTES,
        "`to_image` needs a model that holds its parameters inline; use `Image::write_image`"
    );
}

/// The byte image of `model` (see [`Image`] for the layout), returned by value in an
/// [`ImageBytes`] whose length the compiler computes from the model's type.
///
/// ```
/// use typed_nn::io::{Image, to_image};
/// use typed_nn::{Linear, Tanh, Zero};
/// type Net = (Linear<1, 16>, Tanh, Linear<16, 16>, Tanh, Linear<16, 1>);
/// let image = to_image::<f32, _>(&Net::ZERO)?;
/// assert_eq!(image.len(), 12 + 4 * (32 + 272 + 17) + 8);
/// let mut net = Net::ZERO;
/// net.read_image(&image)?;
/// # Ok::<(), typed_nn::io::ImageError>(())
/// ```
///
/// A model holding a NaN or an infinity has no image ([`ImageError::ModelNotFinite`]). For a model
/// too large for the stack, write into a buffer with [`Image::write_image`].
pub fn to_image<F: Float, M: Image<F>>(model: &M) -> Result<ImageBytes<M>, ImageError> {
    let () = SizeMatches::<M, F>::HOLDS;
    let mut image = ImageBytes {
        header: [0; HEADER_BYTES],
        params: MaybeUninit::zeroed(),
        trailer: [0; LAYOUT_BYTES + CHECKSUM_BYTES],
        len: M::IMAGE_BYTES,
    };
    // SAFETY: the header, the storage and the trailer are initialised (by value and zeroed),
    // the struct is packed so they are contiguous, `IMAGE_BYTES` fits in them (checked above:
    // header and trailer are `IMAGE_BYTES` less the parameters), and the slice is dropped
    // before `image` moves.
    let bytes = unsafe {
        let start = (&mut image as *mut ImageBytes<M>).cast::<u8>();
        core::slice::from_raw_parts_mut(start, M::IMAGE_BYTES)
    };
    // The buffer is `IMAGE_BYTES` long: only a non-finite parameter can fail the write.
    model.write_image(bytes)?;
    Ok(image)
}
