//! Models in and out of [safetensors](https://huggingface.co/docs/safetensors) files, the
//! format PyTorch and the Hugging Face tools share, checked against the model's type.
//!
//! A safetensors file is an 8-byte little-endian header length `n`, `n` bytes of JSON that map
//! each tensor's name to its `dtype`, `shape` and `data_offsets` (begin and end, in bytes,
//! within the data that follows; an optional `__metadata__` entry maps strings to strings),
//! then the tensors' little-endian values, row-major.
//!
//! Reading needs no allocator: [`Header::parse`] validates the whole header in place, and
//! [`load`] checks every tensor the model needs (present, of the model's float type, of its
//! layer's shape, inside the data, finite) and that the file holds no other, before it writes
//! a single parameter: on error the model is unchanged. Writing ([`to_bytes`], [`save`])
//! needs an allocator.
//!
//! Names follow PyTorch's `nn.Sequential` by default: the `k`-th layer of the model (counting
//! activations, which hold no tensors) owns `k.weight` and `k.bias`, so `(Linear<4, 8>,
//! ReLU, Linear<8, 2>)` reads `nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8,
//! 2)).state_dict()`. [`Naming`] covers modules with other names. A weight named `kernel`,
//! as Flax and Keras store a dense layer's, `[in, out]`, is read transposed ([`load_named`]).
//!
//! The file holds tensors, not functions: which activation sits between two layers, and its
//! settings, are the model type's to say, and nothing checks them. Write the network's own:
//! [`LeakyReLU::new(0.2)`](crate::LeakyReLU::new) for `nn.LeakyReLU(0.2)` (the default slope
//! is PyTorch's and Flax's, 0.01; Keras's layer defaults to 0.3), [`Identity`](crate::Identity) for an `nn.Dropout` (nothing at
//! inference). A network with a function the crate has no layer for (`nn.GELU`, `nn.ELU`)
//! computes something else in any model of the crate. `nn.LogSoftmax` at the end is the log
//! of [`Softmax`](crate::Softmax): its largest output, the predicted class, is the same, and
//! its values are the logarithms of `Softmax`'s.
//!
//! ```
//! use typed_nn::io::safetensors;
//! use typed_nn::{Linear, ReLU, Zero};
//! type Net = (Linear<2, 3>, ReLU, Linear<3, 1>);
//! let mut net = Net::ZERO;
//! net.0.weight[1][0] = 0.5;
//! let bytes = safetensors::to_bytes(&net)?; // names 0.weight, 0.bias, 2.weight, 2.bias
//! let mut copy = Net::ZERO;
//! safetensors::load(&bytes, &mut copy)?;
//! assert_eq!(copy, net);
//! // Another architecture is an error naming the tensor and both shapes.
//! let err = safetensors::load(&bytes, &mut (Linear::<2, 4>::ZERO, ReLU, Linear::<4, 1>::ZERO))
//!     .unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "tensor `0.weight` has shape [3, 2]; layer 0, `Linear<2, 4>`, expects [4, 2]"
//! );
//! # Ok::<(), safetensors::SafetensorsError>(())
//! ```

// The errors name tensors and shapes inline, without an allocator, so they are a few hundred
// bytes: an error path, taken once per file.
#![allow(clippy::result_large_err)]

mod error;
mod json;
mod widen;
#[cfg(feature = "alloc")]
mod write;

use super::{TensorShape, Tensors};
use crate::float::Float;
use crate::module::Params;
pub use error::{Dims, NORMALISATION_TENSORS, Name, SafetensorsError};
pub use json::JsonStr;
use json::{Cursor, Parsed, dtype_bits};
use widen::Source;
#[cfg(feature = "std")]
pub use write::{
    FileError, MAX_STREAM_PART_BYTES, StreamProblem, load_file, load_file_named, load_file_part,
    save, save_named,
};
#[cfg(feature = "alloc")]
pub use write::{to_bytes, to_bytes_named};

/// Most dimensions a tensor of the header may have (PyTorch's own limit is 64; anything a
/// model of this crate reads has one or two).
pub const MAX_DIMS: usize = 8;
/// Bytes of a tensor name kept in an error; longer names are cut, with `...`.
pub const NAME_BYTES: usize = 96;
/// Largest header accepted, as the reference implementation: 100,000,000 bytes.
pub const MAX_HEADER_BYTES: u64 = 100_000_000;
/// Deepest nesting of JSON values accepted in the header.
const MAX_DEPTH: usize = 16;
/// How the tensors of a model are named in a file.
#[derive(Clone, Copy, Debug)]
pub enum Naming<'a> {
    /// `nn.Sequential`'s: `k.weight` for the `k`-th layer, counting from 0 and counting
    /// layers without parameters.
    Sequential,
    /// `nn.Sequential`'s under a prefix, as in a module that holds the sequence as an
    /// attribute: `Prefixed("net.")` reads `net.0.weight`. PyTorch joins the parts of a name
    /// with dots, so a prefix without its final dot gets one: `Prefixed("net")` reads
    /// `net.0.weight` too (an empty prefix is [`Naming::Sequential`]).
    Prefixed(&'a str),
    /// One name for each layer that has parameters, in order: `Layers(&["fc1", "fc2"])`
    /// reads `fc1.weight`, `fc1.bias`, `fc2.weight`, `fc2.bias` (a module with attributes
    /// `self.fc1 = nn.Linear(..)`, ...). An empty name reads the layer's tensors without a
    /// prefix: `Layers(&[""])` reads and writes a lone `nn.Linear`'s `weight` and `bias`
    /// (with [`Sequential`](Self::Sequential), a lone `Linear` is `0.weight` and `0.bias`).
    Layers(&'a [&'a str]),
}

impl Naming<'_> {
    /// The name of `tensor` in layer `layer`, the `with_params`-th layer that has parameters.
    fn name(
        &self,
        layer: usize,
        with_params: usize,
        tensor: &str,
    ) -> Result<Name, SafetensorsError> {
        // Built without `core::fmt`, which would add kilobytes to firmware.
        let mut name = Name::new();
        match self {
            Naming::Sequential => name.push_index(layer),
            Naming::Prefixed(prefix) => {
                name.push_str(prefix);
                if !prefix.is_empty() && !prefix.ends_with('.') {
                    name.push_str(".");
                }
                name.push_index(layer);
            }
            // An empty name is a module's own tensors, `weight` and `bias` as a lone
            // `nn.Linear` names them.
            Naming::Layers(names) => match names.get(with_params) {
                Some(&"") => {
                    name.push_str(tensor);
                    return if name.is_cut() {
                        Err(SafetensorsError::NameTooLong { name })
                    } else {
                        Ok(name)
                    };
                }
                Some(layer_name) => name.push_str(layer_name),
                // `for_each_tensor` reports the count of layers.
                None => {
                    return Err(SafetensorsError::Naming {
                        given: names.len(),
                        layers: 0,
                    });
                }
            },
        }
        name.push_str(".");
        name.push_str(tensor);
        if name.is_cut() {
            return Err(SafetensorsError::NameTooLong { name });
        }
        Ok(name)
    }
}

/// One tensor of the header.
#[derive(Clone, Copy)]
pub struct TensorInfo<'a> {
    /// Its name.
    pub name: JsonStr<'a>,
    /// Its dtype, as written (`F32`, `F64`, `BF16`, `I64`, ...).
    pub dtype: JsonStr<'a>,
    /// Its shape.
    pub shape: Dims,
    /// Its values, little-endian, row-major.
    pub data: &'a [u8],
}

/// Its name, dtype and shape, and the length of its data (not the bytes themselves, which
/// may be megabytes).
impl core::fmt::Debug for TensorInfo<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TensorInfo")
            .field("name", &self.name)
            .field("dtype", &self.dtype)
            .field("shape", &self.shape.as_slice())
            .field("data_bytes", &self.data.len())
            .finish()
    }
}

/// One value of `__metadata__`, which maps strings to strings (as the format and its
/// reference implementation require): a number or a nested object there is named as that.
fn metadata_value(c: &mut Cursor<'_>) -> Parsed<()> {
    c.space();
    if c.peek() == Some(b'"') {
        c.string().map(|_| ())
    } else {
        c.error("a string (every value of `__metadata__` is one)")
    }
}

/// Whether a header records where its metadata lies, to step over it and to look aliases up
/// in it: with an allocator. Firmware reads small files, and is spared the code.
const SKIPS_METADATA: bool = cfg!(feature = "alloc");

/// The validated header of a safetensors file and the data it indexes.
#[derive(Clone, Copy)]
pub struct Header<'a> {
    json: &'a [u8],
    data: &'a [u8],
    /// Where the value of `__metadata__` lies in `json`, once `parse` has checked it: later
    /// walks step over it (it may run to megabytes) and lookups go straight to it.
    metadata: Option<(usize, usize)>,
}

/// Its size, not its bytes: a header may run to megabytes.
impl core::fmt::Debug for Header<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Header")
            .field("tensors", &self.len())
            .field("header_bytes", &self.json.len())
            .field("data_bytes", &self.data.len())
            .finish()
    }
}

impl<'a> Header<'a> {
    /// Validates the header of the safetensors file `bytes`: its length, its JSON, and every
    /// tensor's entry (a known dtype, a shape, offsets inside the data that match them).
    /// Allocates nothing.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, SafetensorsError> {
        let (len, rest) = bytes
            .split_first_chunk::<8>()
            .ok_or(SafetensorsError::TooShort { len: bytes.len() })?;
        let claimed = u64::from_le_bytes(*len);
        if claimed > MAX_HEADER_BYTES || claimed > rest.len() as u64 {
            // Only a file whose length does not fit: a safetensors header may begin with any
            // bytes (a length of 640 starts as a pickle does).
            if let Some(looks_like) = other_format(bytes) {
                return Err(SafetensorsError::OtherFormat { looks_like });
            }
            return Err(SafetensorsError::HeaderLength {
                claimed,
                available: rest.len(),
            });
        }
        let (json, data) = rest.split_at(claimed as usize);
        if let Err(e) = core::str::from_utf8(json) {
            return Err(SafetensorsError::Header {
                offset: e.valid_up_to(),
                expected: "UTF-8 text",
            });
        }
        let mut header = Header {
            json,
            data,
            metadata: None,
        };
        // Walks every entry once, which checks each of them.
        header.metadata = header.walk_found(|_| Ok(()))?;
        Ok(header)
    }

    /// `Err` unless the tensors hold exactly the bytes of the data, counted once per tensor
    /// (with [`alone`](Self::alone) for each, the tensors tile the data).
    fn covered(&self) -> Result<(), SafetensorsError> {
        let mut held = 0u64;
        self.for_each(|t| held += t.data.len() as u64);
        if held != self.data.len() as u64 {
            return Err(SafetensorsError::Coverage {
                name: None,
                held,
                data: self.data.len(),
            });
        }
        Ok(())
    }

    /// `Err` naming `tensor` if another tensor's bytes overlap its own.
    fn alone(&self, tensor: &TensorInfo<'a>) -> Result<(), SafetensorsError> {
        let span = |t: &TensorInfo<'a>| {
            let begin = t.data.as_ptr() as usize - self.data.as_ptr() as usize;
            begin..begin + t.data.len()
        };
        let mine = span(tensor);
        let mut overlaps = 0;
        self.for_each(|t| {
            let theirs = span(t);
            overlaps += usize::from(theirs.start < mine.end && mine.start < theirs.end);
        });
        // It overlaps itself (unless it is empty).
        if overlaps > usize::from(!mine.is_empty()) {
            return Err(SafetensorsError::Coverage {
                name: Some(tensor.name.name()),
                held: 0,
                data: self.data.len(),
            });
        }
        Ok(())
    }

    /// The largest end offset among the tensors of the header `json` (the header alone,
    /// without its length): how many bytes of data a file with this header holds. `None`
    /// when the header is not well formed, which [`parse`](Self::parse) then reports.
    #[cfg(feature = "std")]
    pub(crate) fn data_end(json: &[u8]) -> Option<u64> {
        let mut c = Cursor { json, pos: 0 };
        c.expect(b'{', "").ok()?;
        let mut end = 0;
        c.members(|c, name| {
            if name.is("__metadata__") {
                c.expect(b'{', "")?;
                return c.members(|c, _| metadata_value(c));
            }
            let (_, _, (_, last)) = c.entry(name)?;
            end = end.max(last);
            Ok(())
        })
        .ok()?;
        Some(end)
    }

    /// Calls `tensor` with each tensor of the header, in the header's order, checking each.
    fn walk(&self, tensor: impl FnMut(TensorInfo<'a>) -> Parsed<()>) -> Parsed<()> {
        self.walk_found(tensor).map(|_| ())
    }

    /// [`walk`](Self::walk), returning where the value of `__metadata__` lies, if anywhere.
    fn walk_found(
        &self,
        mut tensor: impl FnMut(TensorInfo<'a>) -> Parsed<()>,
    ) -> Parsed<Option<(usize, usize)>> {
        let mut c = Cursor {
            json: self.json,
            pos: 0,
        };
        c.expect(b'{', "`{` at the start of the header")?;
        let data = self.data;
        let mut metadata = None;
        c.members(|c, name| {
            if name.is("__metadata__") {
                // A map of strings to strings.
                c.space();
                let start = c.pos;
                if SKIPS_METADATA
                    && let Some((checked, end)) = self.metadata
                    && checked == start
                {
                    c.pos = end;
                    return Ok(());
                }
                c.expect(b'{', "an object for `__metadata__`")?;
                c.members(|c, _| metadata_value(c))?;
                metadata = SKIPS_METADATA.then_some((start, c.pos));
                return Ok(());
            }
            let (dtype, shape, (begin, end)) = c.entry(name)?;
            let bits = dtype_bits(dtype).ok_or(SafetensorsError::UnknownDtype {
                name: name.name(),
                dtype: dtype.name(),
            })?;
            // Values narrower than a byte are packed; a tensor ends on a whole byte.
            let needed = shape
                .count()
                .and_then(|n| n.checked_mul(bits))
                .filter(|b| b % 8 == 0)
                .map(|b| b / 8);
            if begin > end || end > data.len() as u64 || Some(end - begin) != needed {
                return Err(SafetensorsError::Offsets {
                    name: name.name(),
                    begin,
                    end,
                    needed,
                    data: data.len(),
                });
            }
            tensor(TensorInfo {
                name,
                dtype,
                shape,
                data: &data[begin as usize..end as usize],
            })
        })?;
        // Padding: the reference writer pads the header with spaces.
        if c.peek().is_some() {
            return c.error("nothing after the header's object but spaces");
        }
        Ok(metadata)
    }

    /// Calls `f` with each tensor, in the header's order.
    pub fn for_each(&self, mut f: impl FnMut(&TensorInfo<'a>)) {
        // The header was validated by `parse`.
        let _ = self.walk(|t| {
            f(&t);
            Ok(())
        });
    }

    /// The number of tensors.
    pub fn len(&self) -> usize {
        let mut n = 0;
        self.for_each(|_| n += 1);
        n
    }

    /// True when the file holds no tensor.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The tensor called `name`: `Ok(None)` if there is none, an error if there are two.
    pub fn find(&self, name: &str) -> Result<Option<TensorInfo<'a>>, SafetensorsError> {
        let mut found = None;
        let mut twice = false;
        self.for_each(|t| {
            if t.name.is(name) {
                twice |= found.is_some();
                found = Some(*t);
            }
        });
        match (found, twice) {
            (Some(t), true) => Err(SafetensorsError::Duplicate {
                name: t.name.name(),
            }),
            (found, _) => Ok(found),
        }
    }
}

#[cfg(feature = "alloc")]
impl<'a> Header<'a> {
    /// The value of `key` in the header's `__metadata__`, if it has one.
    fn metadata(&self, key: &str) -> Option<JsonStr<'a>> {
        let (start, _) = self.metadata?;
        let mut c = Cursor {
            json: self.json,
            pos: start,
        };
        let mut value = None;
        // The header was checked by `parse`: nothing below fails.
        c.expect(b'{', "`{`").ok()?;
        c.members(|c, k| {
            let v = c.string()?;
            if value.is_none() && k.is(key) {
                value = Some(v);
            }
            Ok(())
        })
        .ok()?;
        value
    }
}

/// The tensor called `name`, or the one the file's metadata names in its place:
/// `safetensors.torch.save_model` writes a tensor shared by two layers (tied weights) once,
/// and records each other name of it as metadata (`"b.weight": "a.weight"`), which
/// `load_model` follows, as this does. Without an allocator (firmware) aliases are not
/// followed, to spare the code.
#[inline(always)]
fn lookup<'a>(header: &Header<'a>, name: &str) -> Parsed<Option<TensorInfo<'a>>> {
    match header.find(name)? {
        Some(t) => Ok(Some(t)),
        None => aliased(header, name),
    }
}

/// The tensor the metadata names in place of `name` ([`lookup`]).
#[cfg(feature = "alloc")]
fn aliased<'a>(header: &Header<'a>, name: &str) -> Parsed<Option<TensorInfo<'a>>> {
    match header.metadata(name) {
        Some(target) if !target.is(name) => header.find(target.name().as_str()),
        _ => Ok(None),
    }
}

/// Without an allocator, aliases are not followed ([`lookup`]).
#[cfg(not(feature = "alloc"))]
#[inline(always)]
fn aliased<'a>(_: &Header<'a>, _: &str) -> Parsed<Option<TensorInfo<'a>>> {
    Ok(None)
}

/// A tensor of the model in the file: under its own name (or an alias, [`lookup`]), or, for a
/// two-dimensional `weight` the file lacks, the `kernel` of the same layer, stored `[in, out]`
/// as Flax's `nn.Dense` and Keras's `Dense` store it, and read transposed (`true`). The
/// name, not the shape, says which layout a tensor has: a square layer's weight and kernel
/// have the same shape. With an allocator only, as aliases: firmware is spared the code (1.6
/// KB of flash and 600 bytes of stack) and reads files saved with `weight`s, as `save` writes
/// them.
#[inline(always)]
fn find_tensor<'a>(
    header: &Header<'a>,
    name: &Name,
    shape: &TensorShape,
) -> Parsed<Option<(TensorInfo<'a>, bool)>> {
    let found = lookup(header, name.as_str())?;
    if found.is_some() || cfg!(not(feature = "alloc")) {
        return Ok(found.map(|t| (t, false)));
    }
    match kernel_name(name, shape) {
        Some(kernel) => Ok(header.find(kernel.as_str())?.map(|t| (t, true))),
        None => Ok(None),
    }
}

/// `prefix.kernel` for the model's two-dimensional tensor `prefix.weight` ([`find_tensor`]).
fn kernel_name(name: &Name, shape: &TensorShape) -> Option<Name> {
    if shape.name != "weight" || shape.dims().len() != 2 {
        return None;
    }
    let prefix = name.as_str().strip_suffix("weight")?;
    let mut kernel = Name::new();
    kernel.push_str(prefix);
    kernel.push_str("kernel");
    (!kernel.is_cut()).then_some(kernel)
}

/// The dimensions of the model's tensor `shape` as the file stores it: reversed for a
/// kernel ([`find_tensor`]).
fn stored_dims(shape: &TensorShape, transposed: bool) -> Dims {
    match (shape.dims(), transposed) {
        (&[rows, cols], true) => Dims::of(&[cols, rows]),
        (dims, _) => Dims::of(dims),
    }
}

/// What [`SafetensorsError::OtherFormat`] says of this crate's own byte image.
pub(crate) const OWN_IMAGE: &str = "this crate's own weights image, as `io::save` writes";

/// What [`SafetensorsError::OtherFormat`] says of this crate's int8 image.
pub(crate) const OWN_INT8_IMAGE: &str =
    "this crate's int8 weights image, as `Quantized::write_image` writes";

/// What [`SafetensorsError::OtherFormat`] says of a file that begins with text.
pub(crate) const TEXT: &str = "text (a CSV, JSON or other text file)";

/// What [`SafetensorsError::OtherFormat`] says of compressed files, which hold a file to
/// decompress rather than another format to convert.
pub(crate) const COMPRESSED: [&str; 5] = [
    "gzip-compressed data (`.gz`)",
    "xz-compressed data (`.xz`)",
    "zstd-compressed data (`.zst`)",
    "bzip2-compressed data (`.bz2`)",
    "zlib-compressed data (as `joblib.dump(..., compress=True)` writes)",
];

/// What [`SafetensorsError::OtherFormat`] says of MessagePack, which Flax's parameters are
/// serialised to: its message says how to convert them.
pub(crate) const MSGPACK: &str =
    "MessagePack, as Flax's `serialization.to_bytes` and Burn's `.mpk` records write";

/// What [`SafetensorsError::OtherFormat`] says of HDF5, Keras's weights format: its message
/// says how to convert Keras's weights.
pub(crate) const HDF5: &str = "an HDF5 file, as Keras writes (`.h5`, `.weights.h5`)";

/// What [`SafetensorsError::OtherFormat`] says of a pickle: every protocol from 2 (Python 2.3)
/// to 5 (`pickle.HIGHEST_PROTOCOL` from Python 3.8) begins with `0x80` and its number.
const PICKLE: &str = "a pickle, as `pickle.dump` or the legacy `torch.save` (`_use_new_zipfile_serialization=False`) writes";

/// What [`SafetensorsError::OtherFormat`] says of a zip archive whose first entry tells
/// nothing of the tool that wrote it.
pub(crate) const ZIP: &str = "a zip archive, as PyTorch's `torch.save` (`.pt`, `.pth`, `.bin`), Keras (`.keras`) and NumPy's `np.savez` (`.npz`) write";

/// What [`SafetensorsError::OtherFormat`] says of a zip archive that PyTorch wrote: the first
/// entry of `torch.save`'s is the pickle `<name>/data.pkl`, of `torch.jit.save`'s a storage,
/// `<name>/data/0`.
pub(crate) const TORCH_ZIP: &str =
    "a zip archive of PyTorch's `torch.save` or `torch.jit.save` (`.pt`, `.pth`, `.bin`)";

/// What [`SafetensorsError::OtherFormat`] says of a model that Keras 3 saved: a zip archive
/// whose first entry is `metadata.json` (then `config.json` and `model.weights.h5`).
pub(crate) const KERAS_ZIP: &str = "a Keras model archive (`.keras`)";

/// What [`SafetensorsError::OtherFormat`] says of NumPy's `np.savez`: a zip archive of one
/// `<name>.npy` per array.
pub(crate) const NPZ: &str = "a zip archive of NumPy arrays, as `np.savez` writes (`.npz`)";

/// Which tool wrote a zip archive, from the name of its first entry: the first local file
/// header gives the name's length at byte 26 and the name from byte 30. (Firmware, without an
/// allocator, names the archive alone: telling the tools apart costs 800 bytes of flash.)
fn zip_archive(bytes: &[u8]) -> &'static str {
    if cfg!(not(feature = "alloc")) {
        return ZIP;
    }
    let Some(&[low, high]) = bytes.get(26..28) else {
        return ZIP;
    };
    let Some(name) = bytes.get(30..30 + usize::from(u16::from_le_bytes([low, high]))) else {
        return ZIP;
    };
    let storage = |name: &[u8]| {
        let digits = name.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        digits > 0 && name[..name.len() - digits].ends_with(b"/data/")
    };
    if name == b"data.pkl" || name.ends_with(b"/data.pkl") || storage(name) {
        TORCH_ZIP
    } else if matches!(name, b"metadata.json" | b"config.json") || name.ends_with(b".weights.h5") {
        KERAS_ZIP
    } else if name.ends_with(b".npy") {
        NPZ
    } else {
        ZIP
    }
}

/// The format a file that is not safetensors looks like, from its first bytes. Asked only of
/// a file whose first 8 bytes are no header length that fits, so a loose pattern (a protocol
/// buffer's first field) never turns a safetensors file away.
fn other_format(bytes: &[u8]) -> Option<&'static str> {
    const FORMATS: [(&[u8], &str); 14] = [
        (&crate::io::MAGIC, OWN_IMAGE),
        (b"TYQ8", OWN_INT8_IMAGE),
        (b"\x93NUMPY", "a NumPy array (`.npy`)"),
        (b"\x89HDF", HDF5),
        (b"GGUF", "a GGUF file, as llama.cpp writes (`.gguf`)"),
        (b"\x80\x02", PICKLE),
        (b"\x80\x03", PICKLE),
        (b"\x80\x04", PICKLE),
        (b"\x80\x05", PICKLE),
        (b"\x1f\x8b", COMPRESSED[0]),
        (b"\xfd7zXZ\x00", COMPRESSED[1]),
        (b"\x28\xb5\x2f\xfd", COMPRESSED[2]),
        (b"BZh", COMPRESSED[3]),
        // A MessagePack map of 16 or more entries (`map 16`, `map 32`).
        (b"\xde", MSGPACK),
    ];
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(zip_archive(bytes));
    }
    let known = FORMATS
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|&(_, name)| name);
    let patterns = || match *bytes {
        // A FlatBuffer whose identifier, after the root table's offset, is TensorFlow Lite's.
        [_, _, _, _, b'T', b'F', b'L', b'3', ..] => Some("a TensorFlow Lite model (`.tflite`)"),
        // zlib: deflate with a 32 KB window, and one of the four levels' flag bytes.
        [0x78, 0x01 | 0x5e | 0x9c | 0xda, ..] => Some(COMPRESSED[4]),
        // A MessagePack map of up to 15 entries (not the pickles above), keyed by a string.
        [0x81..=0x8f, 0xa0..=0xbf | 0xd9, ..] => Some(MSGPACK),
        // A protocol buffer that opens with a small integer in field 1 and goes on to a
        // field of bytes: ONNX's `ir_version`, TensorFlow's `saved_model_schema_version`.
        [
            0x08,
            1..=31,
            0x12 | 0x1a | 0x22 | 0x2a | 0x32 | 0x3a | 0x42,
            ..,
        ] => Some(
            "a protocol buffer, as an ONNX model (`.onnx`) or TensorFlow's `saved_model.pb` is",
        ),
        _ => None,
    };
    // Eight bytes of text as a length would claim more than 2^61 bytes of header.
    let text = bytes.len() >= 8
        && bytes[..8]
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace());
    known.or_else(patterns).or(text.then_some(TEXT))
}

/// The safetensors dtype of `F`.
fn dtype_of<F: Float>() -> &'static str {
    if F::BYTES == 8 { "F64" } else { "F32" }
}

/// Reads the parameters of `model` from the safetensors file `bytes`, with PyTorch's
/// `nn.Sequential` names ([`Naming::Sequential`]). See [`load_named`].
pub fn load<F: Float, M: Params<F> + Tensors>(
    bytes: &[u8],
    model: &mut M,
) -> Result<(), SafetensorsError> {
    load_named(bytes, model, Naming::Sequential)
}

/// Reads the parameters of `model` from the safetensors file `bytes`, the tensors named by
/// `naming`. Every tensor the model needs must be present, of the model's float type, of its
/// layer's shape and finite, and the file may hold no other tensor; otherwise the error names
/// the tensor (and the layer and both shapes for a shape mismatch), and the model is
/// unchanged. Needs no allocator.
///
/// Layers are counted flat, across nested tuples: `((Linear, ReLU), Linear)` reads
/// `0.weight` and `2.weight`, as `nn.Sequential(*layers)` names them; a nested PyTorch
/// `Sequential` (`0.0.weight`, `1.weight`) reads with `Naming::Layers(&["0.0", "1"])`.
///
/// A Linear's weight named `kernel` in place of `weight` is read transposed: Flax's
/// `nn.Dense` and Keras's `Dense` store it so, `[in, out]`, and Flax's parameters flattened
/// with dots (`params.Dense_0.kernel`) read with `Naming::Layers(&["params.Dense_0", ...])`.
/// The name decides, since a square layer's two layouts have one shape: a `weight` stored
/// `[in, out]` is refused for its shape (and read wrong in a square layer), a `kernel`
/// stored `[out, in]` too, and a file that holds both for one layer is refused. (With the
/// feature `alloc`: without it, in firmware, a kernel is not read, and a file of kernels is
/// converted on the host with `load` and `save`.)
///
/// ```
/// use typed_nn::io::safetensors::{self, Naming};
/// use typed_nn::{Linear, Zero};
/// // Flax's `Dense(1)` on 2 features: {"Dense_0": {"kernel": [[0.5], [-1.0]], "bias": [0.25]}}
/// let header = r#"{"Dense_0.bias":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"Dense_0.kernel":{"dtype":"F32","shape":[2,1],"data_offsets":[4,12]}}"#;
/// let mut file = (header.len() as u64).to_le_bytes().to_vec();
/// file.extend(header.as_bytes());
/// file.extend([0.25f32, 0.5, -1.0].iter().flat_map(|v| v.to_le_bytes()));
/// let mut layer = Linear::<2, 1>::ZERO;
/// safetensors::load_named(&file, &mut layer, Naming::Layers(&["Dense_0"]))?;
/// assert_eq!(layer.weight, [[0.5, -1.0]]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A tensor that `safetensors.torch.save_model` wrote once for two layers (tied weights) is
/// read for both, through the other name its metadata records (`"2.weight": "0.weight"`), as
/// PyTorch's `load_model` reads it (with the feature `alloc`).
///
/// "Of the model's float type" includes the narrower types that convert exactly: an `f32`
/// model reads `F16` (half precision, as `model.half()` saves) and `BF16` tensors, and an
/// `f64` model `F32` ones too, each value as it is. An `F64` tensor for an `f32` model is
/// refused, since it would be rounded.
pub fn load_named<F: Float, M: Params<F> + Tensors>(
    bytes: &[u8],
    model: &mut M,
    naming: Naming<'_>,
) -> Result<(), SafetensorsError> {
    read_tensors::<F, M, false>(bytes, model, naming)
}

/// [`load_named`] for a file that may hold other tensors too, which are left unread: a part
/// of a larger model (the layers of one module of it, with `Naming::Prefixed` or
/// `Naming::Layers`), or a file saved with other modules' buffers and values. Every tensor
/// the model needs is still checked as `load_named` checks it, and the file as a whole (its
/// header, and tensors that tile its data).
///
/// A tensor under the name of one of the model's own layers that the layer does not read is
/// still refused ([`SafetensorsError::Unread`]): `1.running_mean` where the model's layer 1 is
/// an activation is a normalisation the model lacks, and the Linears around it alone would
/// compute something else. So is (with an allocator) a `mean` and a `std` of the module's
/// own, at the file's top level, of the width of the model's input: a standardisation of
/// the input, which the model would leave out ([`SafetensorsError::TopLevel`]; a
/// [`Standardizer`](crate::data::Standardizer) in front of the model reads them). In a file
/// of the reference writer's, a tensor of any dtype the
/// format defines may sit beside the model's (complex, 8-, 6- and 4-bit floats included).
///
/// ```
/// use typed_nn::io::safetensors::{self, Naming};
/// use typed_nn::{Linear, ReLU, Zero};
/// let encoder = (Linear::<3, 4>::ZERO, ReLU, Linear::<4, 2>::ZERO);
/// let bytes = safetensors::to_bytes(&encoder)?;
/// // Only the first layer, `0.weight` and `0.bias`; `2.weight` and `2.bias` stay unread.
/// let mut first = Linear::<3, 4>::ZERO;
/// assert!(safetensors::load_named(&bytes, &mut first, Naming::Sequential).is_err());
/// safetensors::load_part(&bytes, &mut first, Naming::Sequential)?;
/// # Ok::<(), typed_nn::io::safetensors::SafetensorsError>(())
/// ```
pub fn load_part<F: Float, M: Params<F> + Tensors>(
    bytes: &[u8],
    model: &mut M,
    naming: Naming<'_>,
) -> Result<(), SafetensorsError> {
    read_tensors::<F, M, true>(bytes, model, naming)
}

/// When the file's first weight `first` is the model's tensor `ours` under a prefix, a weight
/// of the file that is not under it: the file's layers sit in modules nested to different
/// depths, and no prefix reads it. A hint only: firmware, built without an allocator, is
/// spared its code.
fn nested_layer(header: &Header<'_>, first: &Name, ours: &Name) -> Option<Name> {
    if !cfg!(feature = "alloc") {
        return None;
    }
    let prefix = error::prefix_of(first.as_str(), ours.as_str())?;
    let mut other = None;
    header.for_each(|t| {
        if other.is_none() && is_weight(t) && !t.name.starts_with(prefix) {
            other = Some(t.name.name());
        }
    });
    other
}

/// [`load_named`] and, when `PART` (the file may hold tensors no layer of the model claims),
/// [`load_part`].
fn read_tensors<F: Float, M: Params<F> + Tensors, const PART: bool>(
    bytes: &[u8],
    model: &mut M,
    naming: Naming<'_>,
) -> Result<(), SafetensorsError> {
    let header = Header::parse(bytes)?;
    // First pass: every tensor checked, nothing written.
    let mut expected = 0;
    // The model's tensors the file holds under their own names (not through an alias): the
    // file holds other tensors when it holds more than these.
    let mut direct = 0;
    // The layer whose weight was the last tensor read: its bias missing is `bias=False`.
    let mut weight_of = None;
    // A tensor read under another name (an alias, a kernel) is claimed too; without an
    // allocator, no tensor is read so ([`find_tensor`]).
    let unclaimed = |t: &TensorInfo<'_>| {
        let read_for_model =
            cfg!(feature = "alloc") && read_for_model::<M>(&header, naming, t.name);
        !claimed::<M>(naming, |ours| t.name.is(ours)) && !read_for_model
    };
    let check: &mut TensorVisit<'_> = &mut |name, layer, shape| {
        expected += 1;
        let Some((tensor, transposed)) = find_tensor(&header, &name, shape)? else {
            // The model's first tensor missing from a file that holds others: most often a
            // file whose names follow another scheme, which the error shows.
            // A weight, if the file has one: the writer orders tensors by dtype, and an
            // integer counter (`num_batches_tracked`) would come first.
            // Kept as the header's strings, not names: a device's stack holds one name.
            let (mut first, mut weight) = (None, None);
            header.for_each(|t| {
                first = first.or(Some(t.name));
                weight = weight.or(is_weight(t).then_some(t.name));
            });
            let first = weight.or(first).map(|n| n.name());
            let is_bias = shape.name == "bias" && weight_of == Some(layer.0);
            if let Some(found) = split(&header, name.as_str()) {
                return Err(SafetensorsError::Split { name, layer, found });
            }
            return Err(
                match (shifted::<M>(&header, naming, layer.0, shape), first) {
                    // A normalisation where the model has a layer without parameters shifts the
                    // indices too: named as what it is, not as a dropout. Its tensors are a
                    // batch normalisation's statistics or a weight of one dimension (a
                    // per-feature scale); a later linear layer's, under a layer of the model
                    // without parameters, would be the shift itself.
                    (Some(Err(found)), _) => SafetensorsError::ShiftedBack { name, layer, found },
                    (Some(Ok(found)), _) => {
                        let normalisation = |t: &TensorInfo<'_>| {
                            error::BATCH_NORM_STATS.iter().any(|s| t.name.ends_with(s))
                                || (t.name.ends_with("weight") && t.shape.as_slice().len() == 1)
                        };
                        first_unread::<M>(&header, naming, &unclaimed, normalisation)
                            .unwrap_or(SafetensorsError::Shifted { name, layer, found })
                    }
                    (None, Some(first)) if expected == 1 => {
                        match nested_layer(&header, &first, &name) {
                            Some(other) => SafetensorsError::Nested {
                                layer,
                                first,
                                other,
                            },
                            None => SafetensorsError::NamedOtherwise { name, layer, first },
                        }
                    }
                    (None, _) if is_bias => SafetensorsError::NoBias { name, layer },
                    // Layers named one by one, and a weight of the file that none of them
                    // reads: shown, as the name the user most likely meant (`2.weight` for
                    // `Layers(&["0", "1"])`, nn.Sequential counting its activations).
                    (None, _) if matches!(naming, Naming::Layers(_)) => {
                        match unread_weight(&header, &unclaimed) {
                            Some(first) => SafetensorsError::NamedOtherwise { name, layer, first },
                            None => SafetensorsError::Missing { name, layer },
                        }
                    }
                    // Every tensor of the file read, by the layers before this one.
                    (None, _)
                        if cfg!(feature = "alloc") && direct > 0 && direct == header.len() =>
                    {
                        SafetensorsError::PastTheFile { name, layer }
                    }
                    (None, _) => SafetensorsError::Missing { name, layer },
                },
            );
        };
        header.alone(&tensor)?;
        direct += usize::from(tensor.name.is(name.as_str()) || transposed);
        // Errors name the tensor the file holds (a kernel only with an allocator).
        #[cfg(feature = "alloc")]
        let name = if transposed { tensor.name.name() } else { name };
        weight_of = (shape.name == "weight").then_some(layer.0);
        let Some(source) = Source::for_model::<F>(tensor.dtype) else {
            return Err(SafetensorsError::Dtype {
                name,
                found: tensor.dtype.name(),
                expected: dtype_of::<F>(),
            });
        };
        let want = stored_dims(shape, transposed);
        if tensor.shape != want {
            return Err(SafetensorsError::Shape {
                name,
                found: tensor.shape,
                layer,
                expected: want,
                beyond: false,
            });
        }
        let values = tensor.data.chunks_exact(source.bytes());
        let mut values = values.map(|b| source.read::<F>(b));
        if let Some(index) = values.position(|v| !v.is_finite()) {
            return Err(SafetensorsError::NotFinite { name, index });
        }
        Ok(())
    };
    // Without an allocator the error returns at once: a result held in a variable took a
    // device's stack 248 more bytes (the size of an error).
    #[cfg(not(feature = "alloc"))]
    for_each_tensor::<M>(naming, check)?;
    #[cfg(feature = "alloc")]
    let mut first_pass = for_each_tensor::<M>(naming, check);
    // A shape that differs where the file's network goes on past the model's: said so
    // (where the file may hold nothing else; without an allocator, in firmware, the shape
    // alone, sparing the code and the stack).
    #[cfg(feature = "alloc")]
    if let Err(SafetensorsError::Shape { beyond, .. }) = &mut first_pass
        && !PART
    {
        header.for_each(|t| *beyond |= unclaimed(t));
    }
    #[cfg(feature = "alloc")]
    first_pass?;
    // A normalisation among layers named one by one: its own name falls under none of them.
    #[cfg(feature = "alloc")]
    if header.len() != direct
        && let Some(err) = normalisation_among(&header, naming, &unclaimed)
    {
        return Err(err);
    }
    // An input standardisation the file's module keeps as its own `mean` and `std`: read as
    // a part, the model would leave out what comes before its first layer.
    #[cfg(feature = "alloc")]
    if PART && let Some(err) = input_standardisation::<M>(&header, &unclaimed) {
        return Err(err);
    }
    // A tensor under one of the model's layers that the layer does not read: another kind of
    // layer in the file's network, whether or not the file may hold more. Where it may not,
    // such a tensor is refused below anyway, and this only names it better: firmware (built
    // without an allocator) is spared the code there, 3.7 KB of flash.
    if header.len() != direct
        && (PART || cfg!(feature = "alloc"))
        && let Some(unread) = first_unread::<M>(&header, naming, &unclaimed, |_| true)
    {
        return Err(unread);
    }
    if header.len() != direct && !PART {
        // A tensor that no layer claimed: the first, in the header's order.
        let mut extra = None;
        header.for_each(|t| {
            if extra.is_none() && unclaimed(t) {
                extra = Some(t.name.name());
            }
        });
        if let Some(name) = extra {
            // A name without a module path: the saved module's own tensor, which may act
            // before the model's layers as well as after them.
            #[cfg(feature = "alloc")]
            if !name.as_str().contains('.') {
                return Err(SafetensorsError::TopLevel { name });
            }
            return Err(SafetensorsError::Extra { name });
        }
    }
    header.covered()?;
    // Second pass: the values, slice by slice, in `Params` order (which is the tensors').
    let mut index = 0;
    model.visit_mut(&mut |slice| {
        let mut seen = 0;
        let _ = for_each_tensor::<M>(naming, &mut |name, _, shape| {
            if seen == index
                && let Ok(Some((t, transposed))) = find_tensor(&header, &name, shape)
                && let Some(source) = Source::for_model::<F>(t.dtype)
            {
                let values = t.data.chunks_exact(source.bytes()).map(|b| source.read(b));
                // A kernel's value `[i][o]` is the weight's `[o][i]`.
                let rows = shape.dims()[0];
                let cols = shape.dims().get(1).copied().unwrap_or(1);
                for (k, v) in values.enumerate() {
                    let at = if transposed {
                        (k % rows) * cols + k / rows
                    } else {
                        k
                    };
                    if let Some(slot) = slice.get_mut(at) {
                        *slot = v;
                    }
                }
            }
            seen += 1;
            Ok(())
        });
        index += 1;
    });
    Ok(())
}

/// The first tensor no layer reads that is a normalisation's ([`NORMALISATION_TENSORS`])
/// in a module that also holds one of the model's layers, named by [`Naming::Layers`]
/// (Flax's `params.BatchNorm_0.scale` beside `params.Dense_0`, Keras's
/// `sequential.batch_normalization.gamma` beside `sequential.dense`): the file's network
/// normalises among the model's layers. (The names that count layers place such a tensor
/// under a layer of the model: [`SafetensorsError::Unread`].)
#[cfg(feature = "alloc")]
fn normalisation_among(
    header: &Header<'_>,
    naming: Naming<'_>,
    unclaimed: &dyn Fn(&TensorInfo<'_>) -> bool,
) -> Option<SafetensorsError> {
    let Naming::Layers(layers) = naming else {
        return None;
    };
    // The module that holds a module: `params` for `params.Dense_0`, none for `dense`.
    fn outer(module: &str) -> &str {
        module.rsplit_once('.').map_or("", |(outer, _)| outer)
    }
    let mut found = None;
    header.for_each(|t| {
        let name = t.name.name();
        let Some((module, leaf)) = name.as_str().rsplit_once('.') else {
            return;
        };
        let normalisation = NORMALISATION_TENSORS.contains(&leaf);
        let beside = layers.iter().any(|layer| outer(layer) == outer(module));
        if found.is_none() && normalisation && beside && unclaimed(t) {
            let mut shared = Name::new();
            shared.push_str(outer(module));
            found = Some(SafetensorsError::Normalisation {
                name,
                module: shared,
            });
        }
    });
    found
}

/// The saved module's own `mean` and `std` at the file's top level, unread by the model, of
/// the width of the model's input (its first tensor of two dimensions, `[out, in]`): a
/// standardisation of the input, as a PyTorch module keeps it in buffers, which the model
/// would leave out ([`SafetensorsError::TopLevel`], naming `mean`).
#[cfg(feature = "alloc")]
fn input_standardisation<M: Tensors>(
    header: &Header<'_>,
    unclaimed: &dyn Fn(&TensorInfo<'_>) -> bool,
) -> Option<SafetensorsError> {
    let mut width = None;
    M::tensors(&mut |_, tensors| {
        for t in tensors {
            if let (None, &[_, input]) = (width, t.dims()) {
                width = Some(input as u64);
            }
        }
    });
    let width = width?;
    let of_input = |name: &str| {
        header
            .find(name)
            .ok()
            .flatten()
            .is_some_and(|t| unclaimed(&t) && t.shape.as_slice() == [width])
    };
    (of_input("mean") && of_input("std")).then(|| {
        let mut name = Name::new();
        name.push_str("mean");
        SafetensorsError::TopLevel { name }
    })
}

/// Whether a tensor's name makes it a layer's weight: `weight`, or `kernel` as Flax and Keras
/// name it.
fn is_weight(t: &TensorInfo<'_>) -> bool {
    t.name.ends_with("weight") || t.name.ends_with("kernel")
}

/// The file's first weight (or kernel) that no layer of the model reads; none without an
/// allocator, whose firmware is spared the search.
fn unread_weight(header: &Header<'_>, unclaimed: &dyn Fn(&TensorInfo<'_>) -> bool) -> Option<Name> {
    let mut found = None;
    if cfg!(feature = "alloc") {
        header.for_each(|t| {
            if found.is_none() && is_weight(t) && unclaimed(t) {
                found = Some(t.name.name());
            }
        });
    }
    found
}

/// What [`for_each_tensor`] calls: with the tensor's name, its layer (index and type) and shape.
type TensorVisit<'f> = dyn FnMut(Name, (usize, &'static str), &TensorShape) -> Parsed<()> + 'f;

/// Calls `f(name, (layer index, layer type), shape)` for each tensor of model `M`, in order.
fn for_each_tensor<M: Tensors>(naming: Naming<'_>, f: &mut TensorVisit<'_>) -> Parsed<()> {
    let (mut layer, mut with_params) = (0, 0);
    let mut result = Ok(());
    M::tensors(&mut |ty, tensors| {
        for t in tensors {
            if result.is_ok() {
                result = naming
                    .name(layer, with_params, t.name)
                    .and_then(|name| f(name, (layer, ty), t));
            }
        }
        with_params += usize::from(!tensors.is_empty());
        layer += 1;
    });
    // Fewer names than layers with parameters, or more (names meant for another model, or
    // names for the activations too, which repeat one another): the count first, as what
    // is most likely wrong.
    if let Naming::Layers(names) = naming
        && names.len() != with_params
    {
        return Err(SafetensorsError::Naming {
            given: names.len(),
            layers: with_params,
        });
    }
    if let Naming::Layers(names) = naming {
        // Two layers of one name cannot be told apart in a file.
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                return Err(SafetensorsError::LayerName { index: i });
            }
        }
    }
    result
}

/// The name of `tensor`, of its shape, a few layers after `layer` in the file, where the
/// layer's tensors sit when the file's network has layers without parameters (dropout) that
/// the model lacks (`Ok`); or, where the model has such layers that the file's network lacks,
/// a few layers before it, under a name no layer of the model claims (`Err`). Only for the
/// names that count layers ([`Naming::Sequential`], [`Naming::Prefixed`]).
fn shifted<M: Tensors>(
    header: &Header<'_>,
    naming: Naming<'_>,
    layer: usize,
    tensor: &TensorShape,
) -> Option<Result<Name, Name>> {
    // A hint only: firmware, built without an allocator, is spared its code.
    if matches!(naming, Naming::Layers(_)) || cfg!(not(feature = "alloc")) {
        return None;
    }
    let want = Dims::of(tensor.dims());
    let held = |name: &Name| matches!(header.find(name.as_str()), Ok(Some(t)) if t.shape == want);
    let at = |index| naming.name(index, 0, tensor.name).ok();
    let later = (layer + 1..=layer + 3).filter_map(at).find(held);
    let earlier = || {
        (layer.saturating_sub(3)..layer)
            .rev()
            .filter_map(at)
            .find(|name| held(name) && !claimed::<M>(naming, |ours| ours == name.as_str()))
    };
    later.map(Ok).or_else(|| earlier().map(Err))
}

/// The first part of the tensor `name` when the file holds it split in two
/// ([`SafetensorsError::Split`]): `name_orig` (pruned), `name_g` (weight normalisation) or,
/// for `prefix.weight`, `prefix.parametrizations.weight.original0`. With an allocator only:
/// firmware is spared the code.
fn split(header: &Header<'_>, name: &str) -> Option<Name> {
    #[cfg(feature = "alloc")]
    {
        use alloc::format;
        let (prefix, last) = name.rsplit_once('.').map_or(("", name), |(p, l)| (p, l));
        let dot = if prefix.is_empty() { "" } else { "." };
        let parametrized = format!("{prefix}{dot}parametrizations.{last}.original0");
        [format!("{name}_orig"), format!("{name}_g"), parametrized]
            .iter()
            .find_map(|candidate| header.find(candidate).ok().flatten())
            .map(|t| t.name.name())
    }
    #[cfg(not(feature = "alloc"))]
    {
        let _ = (header, name);
        None
    }
}

/// [`SafetensorsError::Unread`] for the first tensor, among those `only` accepts, that no
/// layer of `M` reads and that falls under one of its layers ([`owner`]).
fn first_unread<M: Tensors>(
    header: &Header<'_>,
    naming: Naming<'_>,
    unclaimed: &impl Fn(&TensorInfo<'_>) -> bool,
    only: impl Fn(&TensorInfo<'_>) -> bool,
) -> Option<SafetensorsError> {
    let mut unread = None;
    header.for_each(|t| {
        if unread.is_none() && only(t) && unclaimed(t) {
            unread = owner::<M>(naming, t.name).map(|owner| (t.name.name(), owner));
        }
    });
    let (name, (layer, reads)) = unread?;
    Some(SafetensorsError::Unread { name, layer, reads })
}

/// A layer that owns a tensor's name: its index and type, and its first tensors' names.
type Owner = ((usize, &'static str), [&'static str; 3]);

/// The layer of model `M` (its index and type, and its first tensors' names) under whose
/// name the tensor `name` falls: `1.` for the model's layer 1 with [`Naming::Sequential`],
/// `fc1.` for its first layer with parameters with `Naming::Layers(&["fc1", ..])` (which
/// names no layer without parameters).
fn owner<M: Tensors>(naming: Naming<'_>, name: JsonStr<'_>) -> Option<Owner> {
    let (mut layer, mut with_params, mut found) = (0, 0, None);
    M::tensors(&mut |ty, tensors| {
        let has_parameters = !tensors.is_empty();
        let named = has_parameters || !matches!(naming, Naming::Layers(_));
        // A layer named "" owns the names without a dot, as a lone module's own tensors.
        let under = |prefix: &str| match prefix {
            "" => !name.chars_contain('.'),
            _ => name.starts_with(prefix),
        };
        if found.is_none()
            && named
            && let Ok(prefix) = naming.name(layer, with_params, "")
            && under(prefix.as_str())
        {
            let reads = [0, 1, 2].map(|i| tensors.get(i).map_or("", |t| t.name));
            found = Some(((layer, ty), reads));
        }
        with_params += usize::from(has_parameters);
        layer += 1;
    });
    found
}

/// Whether some tensor of model `M` has a name that `is` accepts: the name of a header's
/// tensor (`|ours| name.is(ours)`) or one of the crate's making.
fn claimed<M: Tensors>(naming: Naming<'_>, is: impl Fn(&str) -> bool) -> bool {
    let mut found = false;
    let _ = for_each_tensor::<M>(naming, &mut |ours, _, _| {
        found |= is(ours.as_str());
        Ok(())
    });
    found
}

/// Whether the header's tensor called `name` is read for one of the model's tensors under
/// another name ([`find_tensor`]): a tied weight stored once under a name the model may not
/// have, or a kernel read for a weight.
fn read_for_model<M: Tensors>(header: &Header<'_>, naming: Naming<'_>, name: JsonStr<'_>) -> bool {
    // The same tensor of the same header: its name is the same bytes of the file.
    let same = |t: TensorInfo<'_>| core::ptr::eq(t.name.0.as_ptr(), name.0.as_ptr());
    let mut found = false;
    let _ = for_each_tensor::<M>(naming, &mut |ours, _, shape| {
        if let Ok(Some((t, _))) = find_tensor(header, &ours, shape) {
            found |= same(t);
        }
        Ok(())
    });
    found
}
