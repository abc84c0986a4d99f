//! GGUF header parser: `gguf::parse_header` never panics on any bytes, keeps the NeedMore
//! protocol, and `gguf::model_from_header` never panics on any header it returns.

#![no_main]

use libfuzzer_sys::fuzz_target;
use roofline_gguf::{model_from_header, parse_header, parse_header_in_file, GgufError};

fuzz_target!(|bytes: &[u8]| {
    let len = bytes.len() as u64;
    match parse_header(bytes) {
        Ok(h) => {
            assert!(h.header_bytes <= len, "header_bytes {} past the {len} bytes given", h.header_bytes);
            assert!(h.data_start >= h.header_bytes && h.data_start % h.alignment == 0, "data_start {}", h.data_start);
            // The parse reads nothing past the header: the header alone gives the same result
            // (compared as text: float values may be NaN), and one byte less asks for exactly
            // the header.
            let header_len = h.header_bytes as usize;
            let again = parse_header(&bytes[..header_len]);
            assert_eq!(format!("{again:?}"), format!("{:?}", Ok::<_, GgufError>(&h)));
            assert_eq!(
                parse_header(&bytes[..header_len - 1]),
                Err(GgufError::NeedMore { needed_bytes: h.header_bytes })
            );
            let _ = model_from_header(&h, len);
            let _ = model_from_header(&h, 0);
        }
        Err(GgufError::NeedMore { needed_bytes }) => {
            // Reading `needed_bytes` makes progress; a file of this size is truncated.
            assert!(needed_bytes > len, "NeedMore asks for {needed_bytes} with {len} bytes given");
            let in_file = parse_header_in_file(bytes, len);
            assert!(matches!(in_file, Err(GgufError::Truncated { .. })), "{in_file:?}");
        }
        Err(_) => {}
    }
});

