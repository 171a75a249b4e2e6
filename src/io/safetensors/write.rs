//! safetensors files of a model (with an allocator).

use alloc::string::String;
#[cfg(feature = "std")]
use alloc::string::ToString;
use alloc::vec::Vec;
use core::fmt::Write;

use super::{Naming, SafetensorsError, dtype_of, for_each_tensor};
use crate::float::Float;
use crate::io::Tensors;
use crate::module::Params;

/// The safetensors file of `model`, with `nn.Sequential` names: what PyTorch's
/// `safetensors.torch.load_file` reads into a `state_dict` that the same architecture's
/// `load_state_dict` accepts.
///
/// A model holding a NaN or an infinity is refused ([`SafetensorsError::NotFinite`], naming
/// the tensor and the index), as [`load`](super::load) would refuse its file and the byte
/// image refuses the model. So is a layer written by hand whose [`Tensors`] and [`Params`]
/// describe different numbers of values ([`SafetensorsError::Bookkeeping`]).
pub fn to_bytes<F: Float, M: Params<F> + Tensors>(model: &M) -> Result<Vec<u8>, SafetensorsError> {
    to_bytes_named(model, Naming::Sequential)
}

/// [`to_bytes`] with the names of `naming`.
pub fn to_bytes_named<F: Float, M: Params<F> + Tensors>(
    model: &M,
    naming: Naming<'_>,
) -> Result<Vec<u8>, SafetensorsError> {
    let mut json = String::from("{\"__metadata__\":{\"format\":\"pt\"}");
    let mut offset = 0;
    for_each_tensor::<M>(naming, &mut |name, _, shape| {
        let bytes = shape.len() * F::BYTES;
        let _ = write!(json, ",\"");
        for c in name.as_str().chars() {
            // Names are the crate's own or the caller's; escape what JSON needs.
            match c {
                '"' | '\\' => {
                    json.push('\\');
                    json.push(c);
                }
                c if (c as u32) < 0x20 => {
                    let _ = write!(json, "\\u{:04x}", c as u32);
                }
                c => json.push(c),
            }
        }
        let _ = write!(json, "\":{{\"dtype\":\"{}\",\"shape\":[", dtype_of::<F>());
        for (i, d) in shape.dims().iter().enumerate() {
            let _ = write!(json, "{}{d}", if i > 0 { "," } else { "" });
        }
        let _ = write!(json, "],\"data_offsets\":[{offset},{}]}}", offset + bytes);
        offset += bytes;
        Ok(())
    })?;
    json.push('}');
    // A layer's `Tensors` and its `Params` must describe the same values (a layer written by
    // hand may list fewer tensors than it has parameters): else the file would not read back.
    let mut params = 0;
    model.visit(&mut |s| params += s.len());
    if params * F::BYTES != offset {
        return Err(SafetensorsError::Bookkeeping {
            tensors: offset / F::BYTES,
            params,
        });
    }
    if let Some(index) = crate::module::first_non_finite_param(model) {
        return Err(not_finite::<M>(naming, index));
    }
    // The data starts on a multiple of 8 bytes, as the reference writer pads it.
    while json.len() % 8 != 0 {
        json.push(' ');
    }
    let mut out = Vec::with_capacity(8 + json.len() + offset);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(json.as_bytes());
    model.visit(&mut |slice| {
        for &v in slice {
            let mut b = [0u8; 8];
            v.write_le(&mut b[..F::BYTES]);
            out.extend_from_slice(&b[..F::BYTES]);
        }
    });
    Ok(out)
}

/// The error of a model whose value `index` (counted over every tensor in order) is not
/// finite: the tensor that holds it, and its index there.
#[cold]
fn not_finite<M: Tensors>(naming: Naming<'_>, index: usize) -> SafetensorsError {
    let (mut start, mut found) = (0, None);
    let _ = for_each_tensor::<M>(naming, &mut |name, _, shape| {
        let len = shape.len();
        if found.is_none() && index < start + len {
            found = Some((name, index - start));
        }
        start += len;
        Ok(())
    });
    match found {
        Some((name, index)) => SafetensorsError::NotFinite { name, index },
        // The tensors hold every value: `to_bytes_named` checked their count.
        None => unreachable!("value {index} past the model's tensors"),
    }
}

/// Why [`save`] or [`load_file`] failed: the file, and what went wrong with it.
///
/// It converts with `?` into `Box<dyn std::error::Error>`, as a program's `main` returns.
#[cfg(feature = "std")]
#[derive(Clone, Debug, PartialEq)]
// Kept by value, as `SafetensorsError` is: an error path, taken once per file.
#[allow(clippy::large_enum_variant)]
#[non_exhaustive]
pub enum FileError {
    /// The file could not be written or read.
    Io {
        /// The path.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// The file's contents do not fit the model, or the model has no safetensors file (see
    /// [`SafetensorsError`]).
    Safetensors {
        /// The path.
        path: String,
        /// What is wrong.
        error: SafetensorsError,
    },
    /// A pipe or a device, read in stages as it may never end, is not the file its header
    /// describes; what it holds past the point named was not read.
    Stream {
        /// The path.
        path: String,
        /// What is wrong.
        problem: StreamProblem,
    },
}

/// What is wrong with a pipe or a device read as a safetensors file ([`FileError::Stream`]).
#[cfg(feature = "std")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamProblem {
    /// The header's length is beyond [`MAX_HEADER_BYTES`](super::MAX_HEADER_BYTES).
    HeaderLength {
        /// The length the stream claims.
        claimed: u64,
    },
    /// The header places tensors' bytes past what the model could read: 8 bytes a parameter
    /// (the widest dtype), plus [`MAX_STREAM_PART_BYTES`] for [`load_file_part`].
    DataBeyondModel {
        /// Where the header's last tensor ends, in bytes of data.
        data: u64,
        /// The most data read for this model.
        limit: u64,
    },
    /// The stream goes on past the end of the header's last tensor.
    GoesOn {
        /// Where the header's last tensor ends, in bytes of data.
        data: u64,
    },
}

#[cfg(feature = "std")]
impl core::fmt::Display for StreamProblem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StreamProblem::HeaderLength { claimed } => write!(
                f,
                "the header claims {claimed} bytes, more than the {} accepted (a stream: nothing after the length was read)",
                super::MAX_HEADER_BYTES
            ),
            StreamProblem::DataBeyondModel { data, limit } => write!(
                f,
                "the header describes {data} bytes of data, more than the {limit} this model's tensors could take: a stream is not read that far"
            ),
            StreamProblem::GoesOn { data } => write!(
                f,
                "the stream goes on past the {data} bytes of data its header describes; a safetensors file ends with its last tensor"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl core::fmt::Display for FileError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FileError::Io { path, message } => write!(f, "{path}: {message}"),
            FileError::Safetensors { path, error } => write!(f, "{path}: {error}"),
            FileError::Stream { path, problem } => write!(f, "{path}: {problem}"),
        }
    }
}

// No `source`: the message already holds the inner error's, which a reporter that walks
// sources would print twice.
#[cfg(feature = "std")]
impl core::error::Error for FileError {}

/// The path as text, for an error.
#[cfg(feature = "std")]
fn shown(path: &std::path::Path) -> String {
    path.display().to_string()
}

/// Writes `model` as a safetensors file at `path` ([`to_bytes`]), replacing it; nothing is
/// written when the model has no safetensors file.
///
/// ```
/// use typed_nn::{Linear, Zero, io::safetensors};
/// let path = std::env::temp_dir().join("typed-nn-doc-st-save.safetensors");
/// let model = Linear::<2, 1>::from_parts([[0.5, -1.0]], [0.25]);
/// safetensors::save(&path, &model)?;
/// let mut loaded = Linear::<2, 1>::ZERO;
/// safetensors::load_file(&path, &mut loaded)?;
/// assert_eq!(loaded, model);
/// // Errors name the file.
/// let missing = std::env::temp_dir().join("typed-nn-doc-no-such.safetensors");
/// let err = safetensors::load_file(&missing, &mut loaded).unwrap_err();
/// assert!(err.to_string().starts_with(&missing.display().to_string()));
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "std")]
pub fn save<F: Float, M: Params<F> + Tensors>(
    path: impl AsRef<std::path::Path>,
    model: &M,
) -> Result<(), FileError> {
    save_named(path, model, Naming::Sequential)
}

/// [`save`] with the tensors named by `naming` ([`to_bytes_named`]): `Naming::Layers(&["fc1",
/// "fc2"])` for a module whose layers are attributes.
///
/// ```
/// use typed_nn::io::safetensors::{self, Naming};
/// use typed_nn::{Linear, ReLU, Zero};
/// let path = std::env::temp_dir().join("typed-nn-doc-st-save-named.safetensors");
/// let model = (Linear::<2, 3>::ZERO, ReLU, Linear::<3, 1>::ZERO);
/// let names = Naming::Layers(&["fc1", "fc2"]);
/// safetensors::save_named(&path, &model, names)?;
/// let mut loaded = model.clone();
/// safetensors::load_file_named(&path, &mut loaded, names)?;
/// // Read as `nn.Sequential` names, the file is named otherwise.
/// assert!(safetensors::load_file(&path, &mut loaded).is_err());
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "std")]
pub fn save_named<F: Float, M: Params<F> + Tensors>(
    path: impl AsRef<std::path::Path>,
    model: &M,
    naming: Naming<'_>,
) -> Result<(), FileError> {
    let path = path.as_ref();
    let bytes = to_bytes_named(model, naming).map_err(|error| FileError::Safetensors {
        path: shown(path),
        error,
    })?;
    std::fs::write(path, bytes).map_err(|e| FileError::Io {
        path: shown(path),
        message: e.to_string(),
    })
}

/// Reads the safetensors file at `path` into `model` ([`load`](super::load)); the
/// model is unchanged on any error.
///
/// A path that is not a regular file (a pipe, a device), which may never end, is read in
/// stages: the header's length, the header (at most [`MAX_HEADER_BYTES`](super::MAX_HEADER_BYTES)),
/// and the data it describes, if that is at most 8 bytes a parameter of the model (the
/// widest dtype, `F64`; a file of more is refused as the model's tensors could not fill it),
/// plus one byte to find a stream that goes on. [`load_file_part`] reads up to
/// [`MAX_STREAM_PART_BYTES`] more.
#[cfg(feature = "std")]
pub fn load_file<F: Float, M: Params<F> + Tensors>(
    path: impl AsRef<std::path::Path>,
    model: &mut M,
) -> Result<(), FileError> {
    let limit = stream_limit::<F, M>(model, 0);
    read_file(path, limit, |bytes| super::load(bytes, model))
}

/// Data bytes beyond the model's own that [`load_file_part`] reads from a pipe or a device
/// (a regular file is read whole): 1 GiB, for the other tensors of the file's network.
#[cfg(feature = "std")]
pub const MAX_STREAM_PART_BYTES: u64 = 1 << 30;

/// The data a pipe or a device may hold for `model`: 8 bytes a parameter, and `more`.
#[cfg(feature = "std")]
fn stream_limit<F: Float, M: Params<F>>(model: &M, more: u64) -> u64 {
    let mut count = 0u64;
    model.visit(&mut |slice| count += slice.len() as u64);
    count.saturating_mul(8).saturating_add(more)
}

/// [`load_file`] with the tensors named by `naming` ([`load_named`](super::load_named)).
#[cfg(feature = "std")]
pub fn load_file_named<F: Float, M: Params<F> + Tensors>(
    path: impl AsRef<std::path::Path>,
    model: &mut M,
    naming: Naming<'_>,
) -> Result<(), FileError> {
    let limit = stream_limit::<F, M>(model, 0);
    read_file(path, limit, |bytes| super::load_named(bytes, model, naming))
}

/// [`load_file`] from a file that may hold other tensors too
/// ([`load_part`](super::load_part)).
#[cfg(feature = "std")]
pub fn load_file_part<F: Float, M: Params<F> + Tensors>(
    path: impl AsRef<std::path::Path>,
    model: &mut M,
    naming: Naming<'_>,
) -> Result<(), FileError> {
    let limit = stream_limit::<F, M>(model, MAX_STREAM_PART_BYTES);
    read_file(path, limit, |bytes| super::load_part(bytes, model, naming))
}

/// Reads the file at `path` and hands its bytes to `read`, naming the path in any error.
#[cfg(feature = "std")]
fn read_file(
    path: impl AsRef<std::path::Path>,
    limit: u64,
    read: impl FnOnce(&[u8]) -> Result<(), SafetensorsError>,
) -> Result<(), FileError> {
    let path = path.as_ref();
    let bytes = read_bytes(path, limit)
        .map_err(|e| FileError::Io {
            path: shown(path),
            message: e.to_string(),
        })?
        .map_err(|problem| FileError::Stream {
            path: shown(path),
            problem,
        })?;
    read(&bytes).map_err(|error| FileError::Safetensors {
        path: shown(path),
        error,
    })
}

/// The bytes of the file at `path`: all of a regular file; of anything else (a pipe, a
/// device), which may never end, the header's length, the header, and the data it describes
/// if that is at most `limit` bytes, plus one byte (to find a stream that goes on), each read
/// only when the bytes before it were a header's. A stream that ends early is returned as
/// read, for the reader to name what is missing; one that goes on, or whose header claims
/// more than it reads, is the [`StreamProblem`].
#[cfg(feature = "std")]
fn read_bytes(
    path: &std::path::Path,
    limit: u64,
) -> std::io::Result<Result<Vec<u8>, StreamProblem>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    if file.metadata()?.is_file() {
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        return Ok(Ok(bytes));
    }
    let mut bytes = Vec::new();
    let mut more = |bytes: &mut Vec<u8>, count: u64| {
        let before = bytes.len() as u64;
        (&mut file).take(count).read_to_end(bytes)?;
        Ok::<bool, std::io::Error>(bytes.len() as u64 - before == count)
    };
    if !more(&mut bytes, 8)? {
        return Ok(Ok(bytes));
    }
    let claimed = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    if claimed > super::MAX_HEADER_BYTES {
        return Ok(Err(StreamProblem::HeaderLength { claimed }));
    }
    if !more(&mut bytes, claimed)? {
        return Ok(Ok(bytes));
    }
    // A header the reader will refuse is left for it to name.
    let Some(data) = super::Header::data_end(&bytes[8..]) else {
        return Ok(Ok(bytes));
    };
    if data > limit {
        return Ok(Err(StreamProblem::DataBeyondModel { data, limit }));
    }
    if more(&mut bytes, data.saturating_add(1))? {
        return Ok(Err(StreamProblem::GoesOn { data }));
    }
    Ok(Ok(bytes))
}
