//! Messages with numbers, built in `const` context, where `format!` is not available: what
//! a compile-time panic can show of an error ([`ImageError::message`](super::ImageError::message),
//! [`QuantImageError::message`](crate::quant::QuantImageError::message)).

/// The room of a [`ConstMessage`]: the longest sentence with its numbers, and more.
const ROOM: usize = 320;

/// A sentence with numbers, built at compile time: `panic!("{}", e.message().as_str())` in
/// a `static` stops the build with it. Longer text than it has room for is cut.
#[derive(Clone, Copy)]
pub struct ConstMessage {
    bytes: [u8; ROOM],
    len: usize,
}

impl ConstMessage {
    /// The message `text`.
    pub(crate) const fn new(text: &str) -> Self {
        Self {
            bytes: [0; ROOM],
            len: 0,
        }
        .text(text)
    }

    /// The message with `text` after it.
    pub(crate) const fn text(mut self, text: &str) -> Self {
        let text = text.as_bytes();
        let mut i = 0;
        while i < text.len() && self.len < ROOM {
            self.bytes[self.len] = text[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    /// The message with `n` in decimal digits after it.
    pub(crate) const fn number(mut self, mut n: u64) -> Self {
        let mut digits = [0u8; 20];
        let mut count = 0;
        loop {
            digits[count] = b'0' + (n % 10) as u8;
            count += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        while count > 0 && self.len < ROOM {
            count -= 1;
            self.bytes[self.len] = digits[count];
            self.len += 1;
        }
        self
    }

    /// The message as text.
    pub const fn as_str(&self) -> &str {
        let (text, _) = self.bytes.split_at(self.len);
        match core::str::from_utf8(text) {
            Ok(text) => text,
            // Only a sentence cut inside a character, which the crate's ASCII ones are not.
            Err(_) => "(a message cut inside a character)",
        }
    }
}

impl core::fmt::Debug for ConstMessage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::fmt::Display for ConstMessage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ConstMessage;

    #[test]
    fn numbers_and_text_are_joined_and_cut_at_the_room() {
        const M: ConstMessage = ConstMessage::new("holds ")
            .number(0)
            .text(", ")
            .number(u64::MAX)
            .text(" and ")
            .number(1284);
        assert_eq!(M.as_str(), "holds 0, 18446744073709551615 and 1284");
        let long = ConstMessage::new(&"ab".repeat(200));
        assert_eq!(long.as_str().len(), super::ROOM);
    }
}
