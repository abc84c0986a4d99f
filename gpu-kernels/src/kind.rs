//! The kinds of measurement the probes take.

use serde::{Deserialize, Serialize};

/// One kind of measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// Memory read bandwidth (`read.wgsl`).
    Read,
    /// Memory write bandwidth (`fill.wgsl`).
    Write,
    /// Copy bandwidth, read + write counted (`copy.wgsl`).
    Copy,
    /// f32 FMA throughput (`fma_f32.wgsl`).
    FmaF32,
    /// f16 FMA throughput (`fma_f16.wgsl`).
    FmaF16,
    /// Packed int8 dot-product throughput (`dot4_i8.wgsl`).
    Dot4I8,
    /// Dispatch round trip (`tick.wgsl`).
    Latency,
}

impl ProbeKind {
    /// Every kind, in the order a run takes them.
    pub const ALL: [ProbeKind; 7] =
        [Self::Latency, Self::Write, Self::Read, Self::Copy, Self::FmaF32, Self::FmaF16, Self::Dot4I8];

    /// Short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Read => "memory read",
            Self::Write => "memory write",
            Self::Copy => "memory copy",
            Self::FmaF32 => "f32 FMA",
            Self::FmaF16 => "f16 FMA",
            Self::Dot4I8 => "int8 dot product",
            Self::Latency => "dispatch round trip",
        }
    }

    /// Unit of the figure.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Read | Self::Write | Self::Copy => "GB/s",
            Self::FmaF32 | Self::FmaF16 => "TFLOPS",
            Self::Dot4I8 => "TOPS",
            Self::Latency => "µs",
        }
    }

    /// What is counted, for reports.
    pub fn counts(self) -> &'static str {
        match self {
            Self::Read => "16 B per vec4<u32> loaded",
            Self::Write => "16 B per vec4<u32> stored",
            Self::Copy => "32 B per vec4<u32> copied (read + write)",
            Self::FmaF32 | Self::FmaF16 => "2 operations per lane per fma",
            Self::Dot4I8 => "8 operations per dot4I8Packed",
            Self::Latency => "submit to result on the CPU",
        }
    }

    /// Higher is better (all but latency).
    pub fn higher_is_better(self) -> bool {
        self != Self::Latency
    }
}
