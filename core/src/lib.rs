//! Roofline's estimator: how fast a language model runs on a machine, and whether that is
//! good enough for a task.
//!
//! Conventions: `_gb` is 10⁹ bytes, `_gb_per_s` 10⁹ bytes/s, `_gflops`/`_tflops` 10⁹/10¹²
//! FLOP/s, `_s`/`_ms`/`_us` seconds, milliseconds, microseconds; "bytes" are bytes of
//! stored weights or cache as the GGUF types lay them out. A FLOP is one multiply or one
//! add, so a multiply-add counts two.
//!
//! The crate is pure: no I/O, no UI, no GPU. It compiles for `wasm32-unknown-unknown`.

pub mod calibration;
pub mod catalog;
pub mod check;
pub mod cost;
pub mod efficiency;
pub mod estimate;
pub mod explain;
pub mod fit;
pub mod hardware;
pub mod localscore;
pub mod measured;
pub mod model;
pub mod plan;
pub mod quant;
pub mod runtime;
pub mod scenario;
pub mod series;
pub mod share;
pub mod shop;
pub mod source;
pub mod system;
pub mod units;
pub mod validate;
pub mod workload;
