//! Display of figures: significant digits that fit the magnitude, and units.

/// `value` with three significant figures at most (no exponent form).
pub fn sig(value: f64) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let a = value.abs();
    let decimals = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    };
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// A duration given in seconds, in ms, s, min or h.
pub fn duration_s(s: f64) -> String {
    if !s.is_finite() {
        "—".into()
    } else if s < 1.0 {
        format!("{} ms", sig(s * 1e3))
    } else if s < 120.0 {
        format!("{} s", sig(s))
    } else if s < 7200.0 {
        format!("{} min", sig(s / 60.0))
    } else {
        format!("{} h", sig(s / 3600.0))
    }
}

/// Token rate.
pub fn tokens_per_s(v: f64) -> String {
    format!("{} token/s", sig(v))
}

/// Bytes given in GB.
pub fn gb(v: f64) -> String {
    if v < 1.0 {
        format!("{} MB", sig(v * 1e3))
    } else {
        format!("{} GB", sig(v))
    }
}

/// Whole numbers with thin grouping.
pub fn count(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// A number as an input box shows it: shortest exact form.
pub fn input_number(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        String::new()
    }
}
