//! Share-link decoder: `share::decode` never panics on any text, and whatever it decodes
//! is a state that `share::encode` writes and `decode` reads back exactly, with no notices.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use roofline_core::catalog::Catalog;
use roofline_core::share::{decode, encode, MAX_COMPARE_SLOTS};

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::builtin)
}

fuzz_target!(|link: &str| {
    let (state, notices) = decode(link, catalog());
    assert!(state.compare.len() <= MAX_COMPARE_SLOTS, "{} compare slots", state.compare.len());
    // Notices are shown as plain text: the value is stripped of control characters.
    for n in &notices {
        assert!(!n.value.chars().any(char::is_control), "control character in notice {n:?}");
    }

    // Round trip of anything the decoder produced.
    let encoded = encode(&state);
    let (back, back_notices) = decode(&encoded, catalog());
    assert!(back_notices.is_empty(), "re-decoding {encoded:?} gave notices {back_notices:?}");
    assert_eq!(back, state, "decode(encode(state)) differs; encoded {encoded:?}");
});
