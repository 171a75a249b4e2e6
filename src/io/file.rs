//! A model's byte image in a file, in one call each way.

use std::path::Path;
use std::string::{String, ToString};

use super::{Image, ImageError};
use crate::float::Float;

/// Why a model could not be saved or loaded.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FileError {
    /// The file could not be written or read.
    Io {
        /// The path.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// The file is not an image of this model (see [`ImageError`]).
    Image {
        /// The path.
        path: String,
        /// What is wrong with its contents.
        error: ImageError,
    },
    /// A pipe or a device goes on past the model's image: it is read no further, as it may
    /// never end.
    StreamGoesOn {
        /// The path.
        path: String,
        /// The image's length in bytes.
        expected: usize,
    },
}

impl core::fmt::Display for FileError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FileError::Io { path, message } => write!(f, "{path}: {message}"),
            FileError::Image { path, error } => write!(f, "{path}: {error}"),
            FileError::StreamGoesOn { path, expected } => write!(
                f,
                "{path}: goes on past the {expected} bytes of the model's image (a stream, read no further)"
            ),
        }
    }
}

impl core::error::Error for FileError {}

/// Writes `model`'s byte image (see [`Image`]) to the file at `path`, replacing it.
///
/// Several values save together as a tuple: `save(path, &(standardizer, model))`.
///
/// ```
/// use typed_nn::{io, Linear, Zero};
/// let path = std::env::temp_dir().join("typed-nn-doc-save.bin");
/// let model = Linear::<2, 1>::from_parts([[0.5, -1.0]], [0.25]);
/// io::save(&path, &model)?;
/// let mut loaded = Linear::<2, 1>::ZERO;
/// io::load(&path, &mut loaded)?;
/// assert_eq!(loaded, model);
/// // A file of another shape is an error, and leaves the model as it was.
/// assert!(io::load(&path, &mut Linear::<3, 1>::ZERO).is_err());
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), typed_nn::io::FileError>(())
/// ```
pub fn save<F: Float, M: Image<F>>(path: impl AsRef<Path>, model: &M) -> Result<(), FileError> {
    let path = path.as_ref();
    let mut bytes = std::vec![0u8; M::IMAGE_BYTES];
    model
        .write_image(&mut bytes)
        .map_err(|error| image_error(path, error))?;
    std::fs::write(path, bytes).map_err(|e| io_error(path, e))
}

/// Reads the byte image at `path` into `model`. On any error the model is unchanged.
///
/// Reads at most one byte more than the model's image, so that a file of another kind (or
/// a device that never ends) costs no more than that. The image records the lengths of its
/// parameter slices (from version 3), so a model of other layer shapes with as many
/// parameters, or the parts of a tuple in another order, is refused
/// ([`ImageError::Layout`]); an image of version 1 or 2 holds the count alone. Activations
/// are recorded by no image: load it into the type it was saved from.
pub fn load<F: Float, M: Image<F>>(path: impl AsRef<Path>, model: &mut M) -> Result<(), FileError> {
    use std::io::Read;
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let metadata = file.metadata().ok();
    let size = metadata.as_ref().map(|m| m.len());
    let regular = metadata.is_some_and(|m| m.is_file());
    let mut bytes = std::vec::Vec::new();
    file.take(M::IMAGE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, e))?;
    model.read_image(&bytes).map_err(|error| {
        // A stream longer than the image: read no further, so no length to give.
        if let ImageError::Length { expected, found } = error
            && !regular
            && found > expected
        {
            return FileError::StreamGoesOn {
                path: path.display().to_string(),
                expected,
            };
        }
        // A file longer than what was read: its own length in the message.
        let error = match (error, size) {
            (ImageError::Length { expected, .. }, Some(size)) if size > bytes.len() as u64 => {
                ImageError::Length {
                    expected,
                    found: usize::try_from(size).unwrap_or(usize::MAX),
                }
            }
            (error, _) => error,
        };
        image_error(path, error)
    })
}

fn io_error(path: &Path, e: std::io::Error) -> FileError {
    FileError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn image_error(path: &Path, error: ImageError) -> FileError {
    FileError::Image {
        path: path.display().to_string(),
        error,
    }
}
