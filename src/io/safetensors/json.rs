//! The JSON of a safetensors header, read in place, one token at a time.

use core::fmt::{self, Display, Write};

use super::error::{Dims, Name, SafetensorsError};
use super::{MAX_DEPTH, MAX_DIMS};

/// A JSON string of the header, as written (escapes undone when compared or printed).
#[derive(Clone, Copy)]
pub struct JsonStr<'a>(pub(super) &'a [u8]);

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
                        // [`Cursor::string`] admitted only a low surrogate here.
                        let low = low.checked_sub(0xDC00).filter(|l| *l < 0x400)?;
                        char::from_u32(0x10000 + ((high - 0xD800) << 10) + low)?
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

    /// Whether it ends with `s`.
    pub(super) fn ends_with(self, s: &str) -> bool {
        if !self.0.contains(&b'\\') {
            return self.0.ends_with(s.as_bytes());
        }
        let (chars, suffix) = (self.chars().count(), s.chars().count());
        chars >= suffix && self.chars().skip(chars - suffix).eq(s.chars())
    }

    /// Whether it holds the character `c`.
    pub(super) fn chars_contain(self, c: char) -> bool {
        self.chars().any(|x| x == c)
    }

    /// Whether it starts with `s`.
    pub(super) fn starts_with(self, s: &str) -> bool {
        let mut chars = self.chars();
        s.chars().all(|c| chars.next() == Some(c))
    }

    pub(super) fn name(self) -> Name {
        let mut name = Name::new();
        for c in self.chars() {
            let mut buf = [0; 4];
            name.push_str(c.encode_utf8(&mut buf));
        }
        name
    }
}

impl Display for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.chars().try_for_each(|c| f.write_char(c))
    }
}

/// Quoted, as a `str`'s `Debug` prints it: `"0.weight"`.
impl fmt::Debug for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        self.chars()
            .flat_map(char::escape_debug)
            .try_for_each(|c| f.write_char(c))?;
        f.write_char('"')
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
    let digits = bytes.get(..4)?;
    // `from_str_radix` alone would take a sign.
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(core::str::from_utf8(digits).ok()?, 16).ok()
}

/// Reads the JSON of a header, one token at a time.
pub(super) struct Cursor<'a> {
    pub(super) json: &'a [u8],
    pub(super) pos: usize,
}

pub(super) type Parsed<T> = Result<T, SafetensorsError>;

impl<'a> Cursor<'a> {
    pub(super) fn error<T>(&self, expected: &'static str) -> Parsed<T> {
        Err(SafetensorsError::Header {
            offset: self.pos,
            expected,
        })
    }

    pub(super) fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.json.get(self.pos) {
            self.pos += 1;
        }
    }

    /// Skips space and reports the next byte.
    pub(super) fn peek(&mut self) -> Option<u8> {
        self.space();
        self.json.get(self.pos).copied()
    }

    pub(super) fn expect(&mut self, byte: u8, what: &'static str) -> Parsed<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            self.error(what)
        }
    }

    pub(super) fn string(&mut self) -> Parsed<JsonStr<'a>> {
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
                            let Some(code) = hex4(&self.json[self.pos + 1..]) else {
                                return self.error("four hexadecimal digits");
                            };
                            self.pos += 4;
                            // UTF-16 surrogates come in pairs, a high one (D800-DBFF) then a
                            // low one (DC00-DFFF); either alone is no character (RFC 8259,
                            // section 7).
                            if (0xDC00..0xE000).contains(&code) {
                                return self.error("a character, not a lone low surrogate");
                            }
                            if (0xD800..0xDC00).contains(&code) {
                                let rest = &self.json[self.pos + 1..];
                                let low = rest.strip_prefix(b"\\u").and_then(hex4);
                                if !low.is_some_and(|low| (0xDC00..0xE000).contains(&low)) {
                                    return self.error("a low surrogate after a high one");
                                }
                                self.pos += 6;
                            }
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

    pub(super) fn integer(&mut self) -> Parsed<u64> {
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
        // JSON writes no leading zeros (RFC 8259, section 6).
        if self.json[start] == b'0' && self.pos - start > 1 {
            self.pos = start;
            return self.error("an integer without leading zeros");
        }
        Ok(value)
    }

    /// Any JSON value, skipped, with at most [`MAX_DEPTH`] levels of nesting counting the
    /// `depth` levels around it. Iterative, the open containers kept as the bits of one
    /// integer: a recursive skip took about 300 bytes of stack a level on a Cortex-M, 5 KB
    /// more for a file nested to the limit, which a device sized for its usual files would
    /// not have. Not inlined, so that its locals take stack only while it runs, not in the
    /// frame of the caller's deepest path (264 bytes more on a Cortex-M4F, inlined).
    #[inline(never)]
    pub(super) fn skip(&mut self, depth: usize) -> Parsed<()> {
        // Bit `i` is set when the `i`-th open container is an object, clear for an array.
        let (mut objects, mut open) = (0u32, 0usize);
        loop {
            // A value, inside `open` containers.
            if depth + open > MAX_DEPTH {
                return self.error("less nesting");
            }
            match self.peek() {
                Some(b'"') => self.string().map(|_| ())?,
                Some(b'{') => {
                    self.pos += 1;
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                    } else {
                        objects |= 1 << open;
                        open += 1;
                        self.key()?;
                        continue;
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                    } else {
                        objects &= !(1 << open);
                        open += 1;
                        continue;
                    }
                }
                Some(b't') => self.word(b"true")?,
                Some(b'f') => self.word(b"false")?,
                Some(b'n') => self.word(b"null")?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => return self.error("a value"),
            }
            // After a value: the containers it ends, then the next member or element.
            loop {
                let Some(innermost) = open.checked_sub(1) else {
                    return Ok(());
                };
                let in_object = objects & (1 << innermost) != 0;
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if in_object {
                            self.key()?;
                        }
                        break;
                    }
                    Some(b'}') if in_object => {
                        self.pos += 1;
                        open = innermost;
                    }
                    Some(b']') if !in_object => {
                        self.pos += 1;
                        open = innermost;
                    }
                    _ if in_object => return self.error("`,` or `}`"),
                    _ => return self.error("`,` or `]`"),
                }
            }
        }
    }

    /// An object member's key and its `:`, skipped.
    fn key(&mut self) -> Parsed<()> {
        self.string()?;
        self.expect(b':', "`:`")
    }

    /// A JSON number (RFC 8259, section 6): `-`? digits, then an optional fraction and
    /// exponent; checked by its grammar, without converting it.
    fn number(&mut self) -> Parsed<()> {
        let digits = |c: &mut Self| {
            let start = c.pos;
            while let Some(b'0'..=b'9') = c.json.get(c.pos) {
                c.pos += 1;
            }
            c.pos > start
        };
        if self.json.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let first = self.pos;
        if !digits(self) {
            return self.error("a number");
        }
        // No leading zeros (RFC 8259, section 6), as in `integer`.
        if self.json[first] == b'0' && self.pos - first > 1 {
            self.pos = first;
            return self.error("a number without leading zeros");
        }
        if self.json.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if !digits(self) {
                return self.error("digits after `.`");
            }
        }
        if let Some(b'e' | b'E') = self.json.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.json.get(self.pos) {
                self.pos += 1;
            }
            if !digits(self) {
                return self.error("digits in an exponent");
            }
        }
        Ok(())
    }

    pub(super) fn word(&mut self, word: &'static [u8]) -> Parsed<()> {
        if self.json[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            self.error("`true`, `false` or `null`")
        }
    }

    /// The members of an object whose `{` was read, each handed to `member` with the cursor
    /// after its `:`.
    pub(super) fn members(
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
    pub(super) fn entry(&mut self, name: JsonStr<'a>) -> Parsed<(JsonStr<'a>, Dims, (u64, u64))> {
        let problem = |problem| SafetensorsError::Entry {
            name: name.name(),
            problem,
        };
        self.expect(b'{', "an object for a tensor")?;
        let (mut dtype, mut shape, mut offsets) = (None, None, None);
        self.members(|c, key| {
            // A field given twice would leave which one counts to the reader.
            let twice = (key.is("dtype") && dtype.is_some())
                || (key.is("shape") && shape.is_some())
                || (key.is("data_offsets") && offsets.is_some());
            if twice {
                return Err(SafetensorsError::Entry {
                    name: name.name(),
                    problem: "a field given twice",
                });
            }
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

    pub(super) fn dims(&mut self) -> Parsed<Dims> {
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

/// Bits of one value of a safetensors dtype: every dtype of the format as the `safetensors`
/// crate 0.7 defines it (the 4- and 6-bit floats of microscaling formats included, packed
/// with no padding between values).
// One copy, not one in each of the header's walks: firmware counts its bytes.
#[inline(never)]
pub(super) fn dtype_bits(dtype: JsonStr<'_>) -> Option<u64> {
    const SIZES: [(&str, u64); 20] = [
        ("F64", 64),
        ("F32", 32),
        ("F16", 16),
        ("BF16", 16),
        ("F8_E4M3", 8),
        ("F8_E5M2", 8),
        ("F8_E8M0", 8),
        ("F6_E2M3", 6),
        ("F6_E3M2", 6),
        ("F4", 4),
        ("C64", 64),
        ("I64", 64),
        ("I32", 32),
        ("I16", 16),
        ("I8", 8),
        ("U64", 64),
        ("U32", 32),
        ("U16", 16),
        ("U8", 8),
        ("BOOL", 8),
    ];
    SIZES
        .iter()
        .find(|(name, _)| dtype.is(name))
        .map(|&(_, n)| n)
}
