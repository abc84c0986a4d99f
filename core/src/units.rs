//! Formatting of figures for people: three significant figures and an SI prefix, so that
//! every number the site and the explanations show reads the same way.
//!
//! ```
//! use roofline_core::units;
//! assert_eq!(units::gigabytes(4.9234), "4.92 GB");
//! assert_eq!(units::seconds(0.00613), "6.13 ms");
//! assert_eq!(units::flops_per_s(71.2e12), "71.2 TFLOP/s");
//! assert_eq!(units::bandwidth_gb_per_s(3352.0), "3.35 TB/s");
//! assert_eq!(units::tokens_per_s(121.94), "122 token/s");
//! ```
//!
//! Numbers keep all their integer digits (`3552`, not `3550`) and otherwise show three
//! significant figures (`4.92`, `0.0123`). Not-a-number prints as `n/a`, infinities as `∞`.

/// Decimal prefixes from 10⁻⁹ to 10¹⁵ with their exponents of 1000.
const PREFIXES: [(i32, &str); 9] =
    [(-3, "n"), (-2, "µ"), (-1, "m"), (0, ""), (1, "k"), (2, "M"), (3, "G"), (4, "T"), (5, "P")];

/// Rounds `a ≥ 0` to three significant figures.
fn round3(a: f64) -> f64 {
    if a == 0.0 || !a.is_finite() {
        return a;
    }
    let scale = 10f64.powi(2 - a.log10().floor() as i32);
    (a * scale).round() / scale
}

/// `x` with three significant figures, keeping every integer digit: `3552`, `121.9` →
/// `122`, `4.923` → `4.92`, `0.01234` → `0.0123`.
///
/// ```
/// use roofline_core::units::sig;
/// assert_eq!(sig(3552.4), "3552");
/// assert_eq!(sig(99.96), "100");
/// assert_eq!(sig(-0.012345), "-0.0123");
/// assert_eq!(sig(0.0), "0");
/// ```
pub fn sig(x: f64) -> String {
    if x.is_nan() {
        return "n/a".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞".to_owned() } else { "-∞".to_owned() };
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let mut r = round3(x.abs());
    if r >= 100.0 {
        r = x.abs().round();
    }
    if r == 0.0 {
        return "0".to_owned();
    }
    let decimals = if r >= 100.0 { 0 } else { (2 - r.log10().floor() as i32).max(0) as usize };
    format!("{sign}{r:.decimals$}")
}

/// `x` in `unit` with an SI prefix chosen so that the number lies in `[1, 1000)` where a
/// prefix allows: `si(4.92e9, "B")` is `4.92 GB`.
///
/// ```
/// use roofline_core::units::si;
/// assert_eq!(si(4.92e9, "B"), "4.92 GB");
/// assert_eq!(si(999.7e6, "B"), "1.00 GB");
/// assert_eq!(si(163e-6, "s"), "163 µs");
/// assert_eq!(si(0.0, "B"), "0 B");
/// ```
pub fn si(x: f64, unit: &str) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{} {unit}", sig(x));
    }
    let a = x.abs();
    let mut k = (a.log10() / 3.0).floor() as i32;
    // Rounding may carry into the next prefix (999.7 → 1000).
    if round3(a / 1000f64.powi(k)) >= 1000.0 {
        k += 1;
    }
    let (lo, hi) = (PREFIXES[0].0, PREFIXES[PREFIXES.len() - 1].0);
    let k = k.clamp(lo, hi);
    let prefix = PREFIXES.iter().find(|(e, _)| *e == k).map_or("", |(_, p)| p);
    format!("{} {prefix}{unit}", sig(x / 1000f64.powi(k)))
}

/// Bytes: `4.92 GB`, `512 MB`, `34 B`.
pub fn bytes(b: f64) -> String {
    si(b, "B")
}

/// Gigabytes (10⁹ bytes) with the prefix chosen for the size: `0.52` → `520 MB`.
pub fn gigabytes(gb: f64) -> String {
    bytes(gb * 1e9)
}

/// Bandwidth given in GB/s: `842 GB/s`, `3.35 TB/s`.
pub fn bandwidth_gb_per_s(gb_per_s: f64) -> String {
    si(gb_per_s * 1e9, "B/s")
}

/// Seconds with an SI prefix: `6.13 ms`, `163 µs`, `2.10 s`, `4800 s`.
pub fn seconds(s: f64) -> String {
    if s.abs() >= 1.0 || s == 0.0 || !s.is_finite() {
        return format!("{} s", sig(s));
    }
    si(s, "s")
}

/// Milliseconds given as such, printed with [`seconds`]: `358` → `358 ms`.
pub fn milliseconds(ms: f64) -> String {
    seconds(ms / 1e3)
}

/// A duration for people: as [`seconds`] below two minutes, then minutes, hours and days
/// (`4800` → `80.0 min`, `30000` → `8.33 h`).
pub fn duration(s: f64) -> String {
    let a = s.abs();
    if !a.is_finite() || a < 120.0 {
        seconds(s)
    } else if a < 2.0 * 3600.0 {
        format!("{} min", sig(s / 60.0))
    } else if a < 2.0 * 86400.0 {
        format!("{} h", sig(s / 3600.0))
    } else {
        format!("{} d", sig(s / 86400.0))
    }
}

/// An amount of arithmetic: `15.9 GFLOP`.
pub fn flop(flop: f64) -> String {
    si(flop, "FLOP")
}

/// Arithmetic throughput: `71.2 TFLOP/s`.
pub fn flops_per_s(flop_per_s: f64) -> String {
    si(flop_per_s, "FLOP/s")
}

/// Throughput given in GFLOP/s: `71200` → `71.2 TFLOP/s`.
pub fn gflops(gflop_per_s: f64) -> String {
    flops_per_s(gflop_per_s * 1e9)
}

/// Tokens per second: `122 token/s`, `0.450 token/s`.
pub fn tokens_per_s(x: f64) -> String {
    format!("{} token/s", sig(x))
}

/// A count: exact below a million (`131072`), else with a word-like suffix (`8.03 B` for
/// billions, `1.05 M`, `2.00 T`), so that parameters read `8.03 B parameters`.
pub fn count(x: f64) -> String {
    let a = x.abs();
    if !x.is_finite() {
        return sig(x);
    }
    if a < 1e6 {
        if x.fract() == 0.0 {
            return format!("{x:.0}");
        }
        return sig(x);
    }
    let (div, suffix) = if a < 1e9 {
        (1e6, "M")
    } else if a < 1e12 {
        (1e9, "B")
    } else {
        (1e12, "T")
    };
    format!("{} {suffix}", sig(x / div))
}

/// US dollars: whole dollars with thousands separators from $100, cents below.
///
/// ```
/// use roofline_core::units::usd;
/// assert_eq!(usd(1999.0), "$1,999");
/// assert_eq!(usd(1_234_567.4), "$1,234,567");
/// assert_eq!(usd(0.257), "$0.26");
/// ```
pub fn usd(x: f64) -> String {
    if !x.is_finite() {
        return format!("${}", sig(x));
    }
    if x.abs() < 100.0 {
        return format!("${x:.2}");
    }
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if x < 0.0 { "-" } else { "" })
}

/// A fraction as a percentage: `0.9` → `90.0 %`.
pub fn percent(fraction: f64) -> String {
    format!("{} %", sig(100.0 * fraction))
}

/// A multiplier: `0.389` → `×0.389`.
pub fn factor(x: f64) -> String {
    format!("×{}", sig(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_figures_keep_integer_digits() {
        assert_eq!(sig(121.94), "122");
        assert_eq!(sig(12.194), "12.2");
        assert_eq!(sig(1.2194), "1.22");
        assert_eq!(sig(0.12194), "0.122");
        assert_eq!(sig(9.996), "10.0");
        assert_eq!(sig(123456.0), "123456");
        assert_eq!(sig(f64::NAN), "n/a");
        assert_eq!(sig(f64::INFINITY), "∞");
    }

    #[test]
    fn prefixes_cover_the_range() {
        assert_eq!(bytes(512e6), "512 MB");
        assert_eq!(bytes(34.0), "34.0 B");
        assert_eq!(bytes(2.5e12), "2.50 TB");
        assert_eq!(seconds(2.1), "2.10 s");
        assert_eq!(seconds(4800.0), "4800 s");
        assert_eq!(seconds(3e-9), "3.00 ns");
        assert_eq!(seconds(1e-12), "0.00100 ns");
        assert_eq!(gflops(71_200.0), "71.2 TFLOP/s");
        assert_eq!(bandwidth_gb_per_s(89.6), "89.6 GB/s");
        assert_eq!(milliseconds(358.0), "358 ms");
        assert_eq!(duration(4800.0), "80.0 min");
        assert_eq!(duration(30_000.0), "8.33 h");
        assert_eq!(duration(3e5), "3.47 d");
        assert_eq!(count(131_072.0), "131072");
        assert_eq!(count(8.03e9), "8.03 B");
        assert_eq!(percent(0.9), "90.0 %");
        assert_eq!(factor(0.3888), "×0.389");
    }
}
