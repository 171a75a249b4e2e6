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
//! 2)).state_dict()`. [`Naming`] covers modules with other names.
//!
//! ```
//! use typed_nn::io::safetensors;
//! use typed_nn::{Linear, ReLU, Zero};
//! type Net = (Linear<2, 3>, ReLU, Linear<3, 1>);
//! let mut net = Net::ZERO;
//! net.0.weight[1][0] = 0.5;
//! let bytes = safetensors::to_bytes(&net); // names 0.weight, 0.bias, 2.weight, 2.bias
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

use core::fmt::{self, Display, Write};

use super::{TensorShape, Tensors};
use crate::describe::Short;
use crate::float::Float;
use crate::module::Params;

/// Most dimensions a tensor of the header may have (PyTorch's own limit is 64; anything a
/// model of this crate reads has one or two).
pub const MAX_DIMS: usize = 8;
/// Bytes of a tensor name kept in an error; longer names are cut, with `...`.
pub const NAME_BYTES: usize = 96;
/// Largest header accepted, as the reference implementation: 100,000,000 bytes.
pub const MAX_HEADER_BYTES: u64 = 100_000_000;
/// Deepest nesting of JSON values accepted in the header.
const MAX_DEPTH: usize = 16;

/// A tensor name, kept without allocating.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Name {
    bytes: [u8; NAME_BYTES],
    len: usize,
    cut: bool,
}

impl Name {
    fn new() -> Self {
        Name {
            bytes: [0; NAME_BYTES],
            len: 0,
            cut: false,
        }
    }

    /// The name (cut at [`NAME_BYTES`] if it was longer).
    pub fn as_str(&self) -> &str {
        // Only whole characters are ever pushed.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl Write for Name {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            let mut buf = [0; 4];
            let c = c.encode_utf8(&mut buf).as_bytes();
            if self.len + c.len() > NAME_BYTES {
                self.cut = true;
                return Ok(());
            }
            self.bytes[self.len..self.len + c.len()].copy_from_slice(c);
            self.len += c.len();
        }
        Ok(())
    }
}

impl Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        if self.cut { f.write_str("...") } else { Ok(()) }
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// The shape of a tensor, kept without allocating.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    dims: [u64; MAX_DIMS],
    rank: usize,
}

impl Dims {
    fn of(dims: &[usize]) -> Self {
        let mut d = Dims {
            dims: [0; MAX_DIMS],
            rank: dims.len().min(MAX_DIMS),
        };
        for (to, &from) in d.dims.iter_mut().zip(dims) {
            *to = from as u64;
        }
        d
    }

    /// The dimensions, outermost first.
    pub fn as_slice(&self) -> &[u64] {
        &self.dims[..self.rank]
    }

    /// The number of values, or `None` if it overflows `u64`.
    pub fn count(&self) -> Option<u64> {
        self.as_slice()
            .iter()
            .try_fold(1u64, |n, &d| n.checked_mul(d))
    }
}

impl Display for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('[')?;
        for (i, d) in self.as_slice().iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        f.write_char(']')
    }
}

impl fmt::Debug for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// Why a safetensors file cannot be read into a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SafetensorsError {
    /// Fewer than the 8 bytes of the header length.
    TooShort {
        /// Bytes given.
        len: usize,
    },
    /// The header length is larger than the file, or than [`MAX_HEADER_BYTES`].
    HeaderLength {
        /// The length the file claims.
        claimed: u64,
        /// Bytes that follow the length.
        available: usize,
    },
    /// The header is not the JSON a safetensors file holds.
    Header {
        /// Offset of the problem within the header.
        offset: usize,
        /// What was expected there.
        expected: &'static str,
    },
    /// A tensor's entry is missing a field, or has one of the wrong kind.
    Entry {
        /// The tensor.
        name: Name,
        /// What is wrong.
        problem: &'static str,
    },
    /// A tensor's `dtype` is not one of safetensors' types.
    UnknownDtype {
        /// The tensor.
        name: Name,
    },
    /// A tensor's data lies outside the file's data, or its size does not match its shape.
    Offsets {
        /// The tensor.
        name: Name,
        /// Its first byte, within the data.
        begin: u64,
        /// One past its last byte.
        end: u64,
        /// Bytes its dtype and shape call for (`None` if that overflows).
        needed: Option<u64>,
        /// Bytes of data in the file.
        data: usize,
    },
    /// The same tensor appears twice.
    Duplicate {
        /// The tensor.
        name: Name,
    },
    /// A tensor the model needs is not in the file.
    Missing {
        /// The tensor.
        name: Name,
        /// The layer that holds it (counted from 0) and its type.
        layer: (usize, &'static str),
    },
    /// The file holds a tensor the model has no place for.
    Extra {
        /// The tensor.
        name: Name,
    },
    /// A tensor has another shape than its layer.
    Shape {
        /// The tensor.
        name: Name,
        /// Its shape in the file.
        found: Dims,
        /// The layer (counted from 0) and its type.
        layer: (usize, &'static str),
        /// The shape the layer has.
        expected: Dims,
    },
    /// A tensor holds another float type than the model.
    Dtype {
        /// The tensor.
        name: Name,
        /// Its dtype in the file.
        found: Name,
        /// The model's: `F32` or `F64`.
        expected: &'static str,
    },
    /// A tensor holds a NaN or an infinity.
    NotFinite {
        /// The tensor.
        name: Name,
        /// The index of the first such value, row-major.
        index: usize,
    },
    /// [`Naming::Layers`] gave fewer names than the model has layers with parameters.
    Naming {
        /// Names given.
        given: usize,
    },
}

impl Display for SafetensorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SafetensorsError::*;
        match self {
            TooShort { len } => write!(
                f,
                "{len} bytes cannot be a safetensors file (it starts with an 8-byte header length)"
            ),
            HeaderLength { claimed, available } => write!(
                f,
                "the header claims {claimed} bytes, but {available} bytes follow (at most {MAX_HEADER_BYTES} are accepted)"
            ),
            Header { offset, expected } => {
                write!(f, "header byte {offset}: expected {expected}")
            }
            Entry { name, problem } => write!(f, "tensor `{name}`: {problem}"),
            UnknownDtype { name } => {
                write!(f, "tensor `{name}` has a dtype safetensors does not define")
            }
            Offsets {
                name,
                begin,
                end,
                needed,
                data,
            } => {
                write!(
                    f,
                    "tensor `{name}` spans bytes {begin}..{end} of {data} bytes of data"
                )?;
                match needed {
                    Some(n) => write!(f, "; its dtype and shape need {n} bytes"),
                    None => write!(f, "; its shape overflows"),
                }
            }
            Duplicate { name } => write!(f, "tensor `{name}` appears twice"),
            Missing { name, layer } => write!(
                f,
                "tensor `{name}` is missing; layer {}, `{}`, needs it",
                layer.0,
                Short(layer.1)
            ),
            Extra { name } => write!(f, "tensor `{name}` belongs to no layer of the model"),
            Shape {
                name,
                found,
                layer,
                expected,
            } => write!(
                f,
                "tensor `{name}` has shape {found}; layer {}, `{}`, expects {expected}",
                layer.0,
                Short(layer.1)
            ),
            Dtype {
                name,
                found,
                expected,
            } => write!(
                f,
                "tensor `{name}` holds {found}; the model holds {expected}"
            ),
            NotFinite { name, index } => {
                write!(
                    f,
                    "tensor `{name}` holds a NaN or an infinity at index {index}"
                )
            }
            Naming { given } => write!(
                f,
                "{given} layer names given, fewer than the model's layers with parameters"
            ),
        }
    }
}

impl core::error::Error for SafetensorsError {}

/// How the tensors of a model are named in a file.
#[derive(Clone, Copy, Debug)]
pub enum Naming<'a> {
    /// `nn.Sequential`'s: `k.weight` for the `k`-th layer, counting from 0 and counting
    /// layers without parameters.
    Sequential,
    /// `nn.Sequential`'s under a prefix, as in a module that holds the sequence as an
    /// attribute: `Prefixed("net.")` reads `net.0.weight`.
    Prefixed(&'a str),
    /// One name for each layer that has parameters, in order: `Layers(&["fc1", "fc2"])`
    /// reads `fc1.weight`, `fc1.bias`, `fc2.weight`, `fc2.bias` (a module with attributes
    /// `self.fc1 = nn.Linear(..)`, ...).
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
        let mut name = Name::new();
        // Writing into a `Name` never fails; it cuts instead.
        let _ = match self {
            Naming::Sequential => write!(name, "{layer}.{tensor}"),
            Naming::Prefixed(prefix) => write!(name, "{prefix}{layer}.{tensor}"),
            Naming::Layers(names) => match names.get(with_params) {
                Some(layer_name) => write!(name, "{layer_name}.{tensor}"),
                None => return Err(SafetensorsError::Naming { given: names.len() }),
            },
        };
        Ok(name)
    }
}

/// A JSON string of the header, as written (escapes undone when compared or printed).
#[derive(Clone, Copy)]
pub struct JsonStr<'a>(&'a [u8]);

impl<'a> JsonStr<'a> {
    /// Its characters, escapes decoded (a malformed escape, which [`Header::parse`] rejects,
    /// ends them).
    fn chars(self) -> impl Iterator<Item = char> + 'a {
        let mut bytes = self.0;
        core::iter::from_fn(move || {
            let (&first, rest) = bytes.split_first()?;
            if first != b'\\' {
                // The header was checked to be UTF-8: decode one character.
                let len = utf8_len(first);
                let c = core::str::from_utf8(bytes.get(..len)?).ok()?.chars().next();
                bytes = &bytes[len..];
                return c;
            }
            let (&kind, rest) = rest.split_first()?;
            bytes = rest;
            Some(match kind {
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let high = hex4(bytes)?;
                    bytes = &bytes[4..];
                    if (0xD800..0xDC00).contains(&high) && bytes.starts_with(b"\\u") {
                        let low = hex4(&bytes[2..])?;
                        bytes = &bytes[6..];
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low.wrapping_sub(0xDC00));
                        char::from_u32(code).unwrap_or('\u{FFFD}')
                    } else {
                        char::from_u32(high).unwrap_or('\u{FFFD}')
                    }
                }
                other => other as char,
            })
        })
    }

    /// Whether it reads `s`.
    pub fn is(self, s: &str) -> bool {
        if !self.0.contains(&b'\\') {
            return self.0 == s.as_bytes();
        }
        self.chars().eq(s.chars())
    }

    fn name(self) -> Name {
        let mut name = Name::new();
        let _ = write!(name, "{self}");
        name
    }
}

impl Display for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.chars().try_for_each(|c| f.write_char(c))
    }
}

/// Bytes of the UTF-8 character that starts with `first`.
fn utf8_len(first: u8) -> usize {
    match first {
        0..0x80 => 1,
        0xC0..0xE0 => 2,
        0xE0..0xF0 => 3,
        _ => 4,
    }
}

/// Four hexadecimal digits.
fn hex4(bytes: &[u8]) -> Option<u32> {
    let digits = core::str::from_utf8(bytes.get(..4)?).ok()?;
    u32::from_str_radix(digits, 16).ok()
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

/// The validated header of a safetensors file and the data it indexes.
#[derive(Clone, Copy)]
pub struct Header<'a> {
    json: &'a [u8],
    data: &'a [u8],
}

/// Reads the JSON of a header, one token at a time.
struct Cursor<'a> {
    json: &'a [u8],
    pos: usize,
}

type Parsed<T> = Result<T, SafetensorsError>;

impl<'a> Cursor<'a> {
    fn error<T>(&self, expected: &'static str) -> Parsed<T> {
        Err(SafetensorsError::Header {
            offset: self.pos,
            expected,
        })
    }

    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.json.get(self.pos) {
            self.pos += 1;
        }
    }

    /// Skips space and reports the next byte.
    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.json.get(self.pos).copied()
    }

    fn expect(&mut self, byte: u8, what: &'static str) -> Parsed<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            self.error(what)
        }
    }

    fn string(&mut self) -> Parsed<JsonStr<'a>> {
        self.expect(b'"', "a string")?;
        let start = self.pos;
        loop {
            match self.json.get(self.pos) {
                None => return self.error("the end of a string"),
                Some(b'"') => break,
                Some(b'\\') => {
                    self.pos += 1;
                    match self.json.get(self.pos) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {}
                        Some(b'u') => {
                            if hex4(&self.json[self.pos + 1..]).is_none() {
                                return self.error("four hexadecimal digits");
                            }
                            self.pos += 4;
                        }
                        _ => return self.error("an escape"),
                    }
                }
                Some(&c) if c < 0x20 => return self.error("no control character in a string"),
                Some(_) => {}
            }
            self.pos += 1;
        }
        let text = JsonStr(&self.json[start..self.pos]);
        self.pos += 1;
        Ok(text)
    }

    fn integer(&mut self) -> Parsed<u64> {
        self.space();
        let start = self.pos;
        let mut value: u64 = 0;
        while let Some(&d @ b'0'..=b'9') = self.json.get(self.pos) {
            value = match value
                .checked_mul(10)
                .and_then(|v| v.checked_add((d - b'0') as u64))
            {
                Some(v) => v,
                None => return self.error("an integer below 2^64"),
            };
            self.pos += 1;
        }
        if self.pos == start {
            return self.error("a non-negative integer");
        }
        Ok(value)
    }

    /// Any JSON value, skipped.
    fn skip(&mut self, depth: usize) -> Parsed<()> {
        if depth > MAX_DEPTH {
            return self.error("less nesting");
        }
        match self.peek() {
            Some(b'"') => self.string().map(|_| ()),
            Some(b'{') => {
                self.pos += 1;
                self.members(|c, _| c.skip(depth + 1))
            }
            Some(b'[') => {
                self.pos += 1;
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(());
                }
                loop {
                    self.skip(depth + 1)?;
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(());
                        }
                        _ => return self.error("`,` or `]`"),
                    }
                }
            }
            Some(b't') => self.word(b"true"),
            Some(b'f') => self.word(b"false"),
            Some(b'n') => self.word(b"null"),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') =
                    self.json.get(self.pos)
                {
                    self.pos += 1;
                }
                let text = core::str::from_utf8(&self.json[start..self.pos]).unwrap_or("");
                match text.parse::<f64>() {
                    Ok(_) => Ok(()),
                    Err(_) => self.error("a number"),
                }
            }
            _ => self.error("a value"),
        }
    }

    fn word(&mut self, word: &'static [u8]) -> Parsed<()> {
        if self.json[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            self.error("`true`, `false` or `null`")
        }
    }

    /// The members of an object whose `{` was read, each handed to `member` with the cursor
    /// after its `:`.
    fn members(
        &mut self,
        mut member: impl FnMut(&mut Self, JsonStr<'a>) -> Parsed<()>,
    ) -> Parsed<()> {
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':', "`:`")?;
            member(self, key)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return self.error("`,` or `}`"),
            }
        }
    }

    /// One tensor's entry: `{"dtype": .., "shape": [..], "data_offsets": [b, e]}`.
    fn entry(&mut self, name: JsonStr<'a>) -> Parsed<(JsonStr<'a>, Dims, (u64, u64))> {
        let problem = |problem| SafetensorsError::Entry {
            name: name.name(),
            problem,
        };
        self.expect(b'{', "an object for a tensor")?;
        let (mut dtype, mut shape, mut offsets) = (None, None, None);
        self.members(|c, key| {
            if key.is("dtype") {
                dtype = Some(c.string()?);
            } else if key.is("shape") {
                shape = Some(c.dims().map_err(|e| match e {
                    SafetensorsError::Header { .. } => e,
                    _ => problem("more than 8 dimensions"),
                })?);
            } else if key.is("data_offsets") {
                c.expect(b'[', "`[`")?;
                let begin = c.integer()?;
                c.expect(b',', "`,`")?;
                let end = c.integer()?;
                c.expect(b']', "`]` after two offsets")?;
                offsets = Some((begin, end));
            } else {
                c.skip(2)?;
            }
            Ok(())
        })?;
        let dtype = dtype.ok_or(problem("no `dtype`"))?;
        let shape = shape.ok_or(problem("no `shape`"))?;
        let offsets = offsets.ok_or(problem("no `data_offsets`"))?;
        Ok((dtype, shape, offsets))
    }

    fn dims(&mut self) -> Parsed<Dims> {
        self.expect(b'[', "`[` for a shape")?;
        let mut dims = Dims {
            dims: [0; MAX_DIMS],
            rank: 0,
        };
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(dims);
        }
        loop {
            let d = self.integer()?;
            if dims.rank == MAX_DIMS {
                return Err(SafetensorsError::Entry {
                    name: Name::new(),
                    problem: "more than 8 dimensions",
                });
            }
            dims.dims[dims.rank] = d;
            dims.rank += 1;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(dims);
                }
                _ => return self.error("`,` or `]`"),
            }
        }
    }
}

/// Bytes of one value of a safetensors dtype.
fn dtype_bytes(dtype: JsonStr<'_>) -> Option<u64> {
    const SIZES: [(&str, u64); 15] = [
        ("F64", 8),
        ("F32", 4),
        ("F16", 2),
        ("BF16", 2),
        ("F8_E4M3", 1),
        ("F8_E5M2", 1),
        ("I64", 8),
        ("I32", 4),
        ("I16", 2),
        ("I8", 1),
        ("U64", 8),
        ("U32", 4),
        ("U16", 2),
        ("U8", 1),
        ("BOOL", 1),
    ];
    SIZES
        .iter()
        .find(|(name, _)| dtype.is(name))
        .map(|&(_, n)| n)
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
        let header = Header { json, data };
        // Walks every entry once, which checks each of them.
        header.walk(|_| Ok(()))?;
        Ok(header)
    }

    /// Calls `tensor` with each tensor of the header, in the header's order, checking each.
    fn walk(&self, mut tensor: impl FnMut(TensorInfo<'a>) -> Parsed<()>) -> Parsed<()> {
        let mut c = Cursor {
            json: self.json,
            pos: 0,
        };
        c.expect(b'{', "`{` at the start of the header")?;
        let data = self.data;
        c.members(|c, name| {
            if name.is("__metadata__") {
                // A map of strings to strings.
                c.expect(b'{', "an object for `__metadata__`")?;
                return c.members(|c, _| c.string().map(|_| ()));
            }
            let (dtype, shape, (begin, end)) = c.entry(name)?;
            let size =
                dtype_bytes(dtype).ok_or(SafetensorsError::UnknownDtype { name: name.name() })?;
            let needed = shape.count().and_then(|n| n.checked_mul(size));
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
        Ok(())
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
pub fn load_named<F: Float, M: Params<F> + Tensors>(
    bytes: &[u8],
    model: &mut M,
    naming: Naming<'_>,
) -> Result<(), SafetensorsError> {
    let header = Header::parse(bytes)?;
    // First pass: every tensor checked, nothing written.
    let mut expected = 0;
    for_each_tensor::<M>(naming, &mut |name, layer, shape| {
        expected += 1;
        let tensor = header
            .find(name.as_str())?
            .ok_or(SafetensorsError::Missing { name, layer })?;
        let model_dtype = dtype_of::<F>();
        if !tensor.dtype.is(model_dtype) {
            return Err(SafetensorsError::Dtype {
                name,
                found: tensor.dtype.name(),
                expected: model_dtype,
            });
        }
        let want = Dims::of(shape.dims());
        if tensor.shape != want {
            return Err(SafetensorsError::Shape {
                name,
                found: tensor.shape,
                layer,
                expected: want,
            });
        }
        let values = tensor.data.chunks_exact(F::BYTES);
        if let Some(index) = values.map(F::read_le).position(|v| !v.is_finite()) {
            return Err(SafetensorsError::NotFinite { name, index });
        }
        Ok(())
    })?;
    if header.len() != expected {
        // A tensor that no layer claimed: the first, in the header's order.
        let mut extra = None;
        header.for_each(|t| {
            if extra.is_none() && !claimed::<M>(naming, t.name) {
                extra = Some(t.name.name());
            }
        });
        if let Some(name) = extra {
            return Err(SafetensorsError::Extra { name });
        }
    }
    // Second pass: the values, slice by slice, in `Params` order (which is the tensors').
    let mut index = 0;
    model.visit_mut(&mut |slice| {
        let mut seen = 0;
        let _ = for_each_tensor::<M>(naming, &mut |name, _, _| {
            if seen == index {
                if let Ok(Some(t)) = header.find(name.as_str()) {
                    for (v, b) in slice.iter_mut().zip(t.data.chunks_exact(F::BYTES)) {
                        *v = F::read_le(b);
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

/// Calls `f(name, (layer index, layer type), shape)` for each tensor of model `M`, in order.
fn for_each_tensor<M: Tensors>(
    naming: Naming<'_>,
    f: &mut dyn FnMut(Name, (usize, &'static str), &TensorShape) -> Parsed<()>,
) -> Parsed<()> {
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
    result
}

/// Whether some tensor of model `M` is called `name`.
fn claimed<M: Tensors>(naming: Naming<'_>, name: JsonStr<'_>) -> bool {
    let mut found = false;
    let _ = for_each_tensor::<M>(naming, &mut |ours, _, _| {
        found |= name.is(ours.as_str());
        Ok(())
    });
    found
}

#[cfg(feature = "alloc")]
pub use write::{to_bytes, to_bytes_named};

#[cfg(feature = "std")]
pub use write::{load_file, save};

#[cfg(feature = "alloc")]
mod write {
    use alloc::string::String;
    use alloc::vec::Vec;
    use core::fmt::Write;

    use super::{Naming, SafetensorsError, dtype_of, for_each_tensor};
    use crate::float::Float;
    use crate::io::Tensors;
    use crate::module::Params;

    /// The safetensors file of `model`, with `nn.Sequential` names: what PyTorch's
    /// `safetensors.torch.load_file` reads into a `state_dict` that the same architecture's
    /// `load_state_dict` accepts.
    pub fn to_bytes<F: Float, M: Params<F> + Tensors>(model: &M) -> Vec<u8> {
        // Sequential names cannot fail.
        to_bytes_named(model, Naming::Sequential).unwrap_or_default()
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

    /// Writes `model` as a safetensors file at `path` ([`to_bytes`]).
    #[cfg(feature = "std")]
    pub fn save<F: Float, M: Params<F> + Tensors>(
        path: impl AsRef<std::path::Path>,
        model: &M,
    ) -> Result<(), std::io::Error> {
        std::fs::write(path, to_bytes(model))
    }

    /// Reads the safetensors file at `path` into `model` ([`load`](super::load)); the
    /// model is unchanged on any error.
    #[cfg(feature = "std")]
    pub fn load_file<F: Float, M: Params<F> + Tensors>(
        path: impl AsRef<std::path::Path>,
        model: &mut M,
    ) -> Result<(), std::boxed::Box<dyn core::error::Error + Send + Sync>> {
        let bytes = std::fs::read(path)?;
        super::load(&bytes, model)?;
        Ok(())
    }
}
