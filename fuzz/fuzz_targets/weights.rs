//! Loading a model's weights: the input is a whole GGUF file (header, padding and tensor
//! data). Its weights are loaded at once from the bytes (`Weights::load`, a `&[u8]`
//! source) and part by part as the device page does it: `Weights::ranges` of the globals and
//! of each block, read ahead into a `Prefetched`, then `Weights::load_globals` and
//! `Weights::load_layer`. Checks: no panic and no allocation past libFuzzer's
//! `-malloc_limit_mb`; both ways give the same weights or the same refusal (the part's
//! ranges are all it reads); loaded weights pass `Weights::check` and make a `Model`; every
//! refusal is a loading error with a message.

#![no_main]

use libfuzzer_sys::fuzz_target;
use roofline_gguf::{parse_header, Header};
use roofline_reference::transformer::{Model, Part, Prefetched, TransformerError, Weights};

/// The ranges of `part` that lie inside the file, read ahead.
fn prefetch(header: &Header, file: &[u8], part: Part) -> Prefetched {
    let mut prefetched = Prefetched::default();
    for (offset, len) in Weights::ranges(header, part) {
        let start = usize::try_from(offset).ok();
        let range = start.zip(usize::try_from(len).ok()).and_then(|(s, l)| Some(s..s.checked_add(l)?));
        if let Some(bytes) = range.and_then(|r| file.get(r)) {
            prefetched.insert(offset, bytes.to_vec());
        }
    }
    prefetched
}

/// The device page's way: the globals, then each block, each from its own ranges only.
fn load_by_parts(header: &Header, file: &[u8]) -> Result<Weights, TransformerError> {
    let mut weights = Weights::load_globals(header, &prefetch(header, file, Part::Globals))?;
    for i in 0..weights.config.n_layers {
        let source = prefetch(header, file, Part::Layer(i));
        let layer = Weights::load_layer(header, &source, &weights.config, i)?;
        weights.layers.push(layer);
    }
    Ok(weights)
}

/// The same refusal: equal errors, or reads of the same tensor bytes (the two sources word
/// a missing range differently).
fn same_refusal(a: &TransformerError, b: &TransformerError) -> bool {
    use TransformerError::Read;
    match (a, b) {
        (Read { name, offset, len_bytes, .. }, Read { name: n, offset: o, len_bytes: l, .. }) => {
            (name, offset, len_bytes) == (n, o, l)
        }
        _ => a == b,
    }
}

fn check_refusal(e: &TransformerError) {
    use TransformerError as E;
    let running =
        matches!(e, E::TokenOutOfRange { .. } | E::PositionMismatch { .. } | E::EmptyPrompt | E::CacheMismatch);
    assert!(!running, "loading refused with a running error: {e:?}");
    assert!(!e.to_string().trim().is_empty(), "{e:?} has no message");
}

fuzz_target!(|file: &[u8]| {
    let Ok(header) = parse_header(file) else { return };
    let at_once = Weights::load(&header, &file);
    let by_parts = load_by_parts(&header, file);
    match (&at_once, &by_parts) {
        (Ok(a), Ok(b)) => {
            // Compared as text where equality fails: values may be NaN.
            assert!(a == b || format!("{a:?}") == format!("{b:?}"), "the parts differ from the whole");
            if let Err(e) = a.check() {
                panic!("loaded weights fail their check: {e}");
            }
            if let Err(e) = Model::new(b.clone()) {
                panic!("loaded weights make no model: {e}");
            }
        }
        (Err(a), Err(b)) => {
            assert!(same_refusal(a, b), "at once: {a}; part by part: {b}");
            check_refusal(a);
            check_refusal(b);
        }
        (Ok(_), Err(e)) => panic!("loads at once, but not from its parts' ranges: {e}"),
        (Err(e), Ok(_)) => panic!("loads from its parts' ranges, but not at once: {e}"),
    }
});
