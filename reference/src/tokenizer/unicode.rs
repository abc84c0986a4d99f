//! Code point categories and GPT-2's byte-to-character mapping, as llama.cpp's
//! `unicode.cpp` defines them.

use super::unicode_data::{CATEGORY_RANGES, WHITESPACE};

/// Number (`\p{N}`).
pub(super) const NUMBER: u8 = 0x02;
/// Letter (`\p{L}`).
pub(super) const LETTER: u8 = 0x04;
/// Mark (`\p{M}`).
#[cfg(test)]
pub(super) const MARK: u8 = 0x10;
/// Punctuation (`\p{P}`).
pub(super) const PUNCTUATION: u8 = 0x20;
/// Symbol (`\p{S}`).
#[cfg(test)]
pub(super) const SYMBOL: u8 = 0x40;

/// What llama.cpp knows of one code point (`unicode_cpt_flags`). The default value is
/// what it returns past the end of the text being split: no category at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Flags {
    /// Category bits (exactly one for a code point: 0x01 undefined ... 0x80 control).
    pub category: u8,
    /// `\s`.
    pub whitespace: bool,
}

impl Flags {
    pub fn is_letter(self) -> bool {
        self.category & LETTER != 0
    }

    pub fn is_number(self) -> bool {
        self.category & NUMBER != 0
    }

    /// Any flag set: false only past the end of the text.
    pub fn is_some(self) -> bool {
        self.category != 0 || self.whitespace
    }
}

/// The flags of `c`.
pub(super) fn flags(c: char) -> Flags {
    let cp = u32::from(c);
    let i = CATEGORY_RANGES.partition_point(|&(start, _)| start <= cp);
    let category = i.checked_sub(1).and_then(|i| CATEGORY_RANGES.get(i)).map_or(0, |&(_, bits)| bits);
    Flags { category, whitespace: WHITESPACE.binary_search(&cp).is_ok() }
}

/// The character GPT-2's byte-level BPE writes for byte `b`: printable Latin-1 bytes stand
/// for themselves, the others for U+0100 onwards in byte order.
pub(super) fn byte_to_char(b: u8) -> char {
    let printable = |b: u8| matches!(b, 0x21..=0x7E | 0xA1..=0xAC | 0xAE..=0xFF);
    if printable(b) {
        return char::from(b);
    }
    let rank = (0..b).filter(|&x| !printable(x)).count() as u32;
    char::from_u32(0x100 + rank).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The byte a GPT-2 byte-level character stands for, if it is one.
pub(super) fn char_to_byte(c: char) -> Option<u8> {
    let cp = u32::from(c);
    match cp {
        0x21..=0x7E | 0xA1..=0xAC | 0xAE..=0xFF => u8::try_from(cp).ok(),
        0x100..=0x143 => {
            let rank = (cp - 0x100) as usize;
            (0..=255u8).filter(|&x| !matches!(x, 0x21..=0x7E | 0xA1..=0xAC | 0xAE..=0xFF)).nth(rank)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_match_llama_cpp() {
        assert_eq!(flags('a').category, LETTER);
        assert_eq!(flags('Ж').category, LETTER);
        assert_eq!(flags('東').category, LETTER);
        assert_eq!(flags('7').category, NUMBER);
        assert_eq!(flags('٣').category, NUMBER);
        assert_eq!(flags('!').category, PUNCTUATION);
        assert_eq!(flags('—').category, PUNCTUATION);
        assert_eq!(flags('$').category, SYMBOL);
        assert_eq!(flags('`').category, SYMBOL);
        assert_eq!(flags('🚀').category, SYMBOL);
        assert_eq!(flags('\u{301}').category, MARK);
        assert!(flags(' ').whitespace && flags('\n').whitespace && flags('\u{3000}').whitespace);
        assert!(!flags('\u{200b}').whitespace);
        assert!(flags('\u{e000}').is_some());
        assert!(!Flags::default().is_some());
    }

    #[test]
    fn byte_mapping_is_gpt2s() {
        assert_eq!(byte_to_char(b'a'), 'a');
        assert_eq!(byte_to_char(b' '), 'Ġ');
        assert_eq!(byte_to_char(b'\n'), 'Ċ');
        assert_eq!(byte_to_char(0), 'Ā');
        assert_eq!(byte_to_char(0xAD), 'Ń');
        for b in 0..=255u8 {
            assert_eq!(char_to_byte(byte_to_char(b)), Some(b), "{b}");
        }
        assert_eq!(char_to_byte('€'), None);
        assert_eq!(char_to_byte(' '), None);
    }
}
