//! The GGUF block formats the shaders read, and the composition of a kernel with one
//! format: `quant_prelude.wgsl` (byte access) + `fmt_*.wgsl` (`BLOCK_ELEMS`, `BLOCK_BYTES`,
//! `block_value`) + for the matrix-vector product `dot_*.wgsl` (`sub_dot`), for the
//! matrix–matrix products `tile_*.wgsl` (`tile_fetch`, `tile_decode`) + the kernel.

/// A tensor format the shaders dequantize.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuantFormat {
    /// 32-bit float.
    F32,
    /// 16-bit float.
    F16,
    /// bfloat16 (the high half of an f32).
    Bf16,
    /// 8-bit, 32 per block, one f16 scale.
    Q8_0,
    /// 4-bit, 32 per block, one f16 scale.
    Q4_0,
    /// 4-bit, 32 per block, f16 scale and minimum.
    Q4_1,
    /// 5-bit, 32 per block, one f16 scale.
    Q5_0,
    /// 5-bit, 32 per block, f16 scale and minimum.
    Q5_1,
    /// 4-bit K-quant, 256 per super-block.
    Q4K,
    /// 5-bit K-quant, 256 per super-block.
    Q5K,
    /// 6-bit K-quant, 256 per super-block.
    Q6K,
}

/// Every format, for tests.
pub const ALL_FORMATS: [QuantFormat; 11] = [
    QuantFormat::F32,
    QuantFormat::F16,
    QuantFormat::Bf16,
    QuantFormat::Q8_0,
    QuantFormat::Q4_0,
    QuantFormat::Q4_1,
    QuantFormat::Q5_0,
    QuantFormat::Q5_1,
    QuantFormat::Q4K,
    QuantFormat::Q5K,
    QuantFormat::Q6K,
];

const PRELUDE: &str = include_str!("../shaders/model/quant_prelude.wgsl");

impl QuantFormat {
    /// From a ggml type id (as in a GGUF tensor directory).
    pub fn from_ggml(id: u32) -> Option<Self> {
        Some(match id {
            0 => Self::F32,
            1 => Self::F16,
            30 => Self::Bf16,
            2 => Self::Q4_0,
            3 => Self::Q4_1,
            6 => Self::Q5_0,
            7 => Self::Q5_1,
            8 => Self::Q8_0,
            12 => Self::Q4K,
            13 => Self::Q5K,
            14 => Self::Q6K,
            _ => return None,
        })
    }

    /// The ggml type id.
    pub fn ggml_type(self) -> u32 {
        match self {
            Self::F32 => 0,
            Self::F16 => 1,
            Self::Bf16 => 30,
            Self::Q4_0 => 2,
            Self::Q4_1 => 3,
            Self::Q5_0 => 6,
            Self::Q5_1 => 7,
            Self::Q8_0 => 8,
            Self::Q4K => 12,
            Self::Q5K => 13,
            Self::Q6K => 14,
        }
    }

    /// (elements, bytes) per block.
    pub fn block(self) -> (u32, u32) {
        match self {
            Self::F32 => (1, 4),
            Self::F16 | Self::Bf16 => (1, 2),
            Self::Q8_0 => (32, 34),
            Self::Q4_0 => (32, 18),
            Self::Q4_1 => (32, 20),
            Self::Q5_0 => (32, 22),
            Self::Q5_1 => (32, 24),
            Self::Q4K => (256, 144),
            Self::Q5K => (256, 176),
            Self::Q6K => (256, 210),
        }
    }

    /// Byte offsets of the f16 fields in a block (scales and minimums).
    pub fn f16_fields(self) -> &'static [usize] {
        match self {
            Self::F32 | Self::Bf16 => &[],
            Self::F16 => &[0],
            Self::Q8_0 | Self::Q4_0 | Self::Q5_0 => &[0],
            Self::Q4_1 | Self::Q5_1 | Self::Q4K | Self::Q5K => &[0, 2],
            Self::Q6K => &[208],
        }
    }

    /// The format's `.wgsl` source.
    pub fn source(self) -> &'static str {
        match self {
            Self::F32 => include_str!("../shaders/model/fmt_f32.wgsl"),
            Self::F16 => include_str!("../shaders/model/fmt_f16.wgsl"),
            Self::Bf16 => include_str!("../shaders/model/fmt_bf16.wgsl"),
            Self::Q8_0 => include_str!("../shaders/model/fmt_q8_0.wgsl"),
            Self::Q4_0 => include_str!("../shaders/model/fmt_q4_0.wgsl"),
            Self::Q4_1 => include_str!("../shaders/model/fmt_q4_1.wgsl"),
            Self::Q5_0 => include_str!("../shaders/model/fmt_q5_0.wgsl"),
            Self::Q5_1 => include_str!("../shaders/model/fmt_q5_1.wgsl"),
            Self::Q4K => include_str!("../shaders/model/fmt_q4_k.wgsl"),
            Self::Q5K => include_str!("../shaders/model/fmt_q5_k.wgsl"),
            Self::Q6K => include_str!("../shaders/model/fmt_q6_k.wgsl"),
        }
    }

    /// The format's `sub_dot` (`dot_*.wgsl`): a 32-element sub-block dotted with `x`.
    pub fn dot_source(self) -> &'static str {
        match self {
            Self::F32 => include_str!("../shaders/model/dot_f32.wgsl"),
            Self::F16 => include_str!("../shaders/model/dot_f16.wgsl"),
            Self::Bf16 => include_str!("../shaders/model/dot_bf16.wgsl"),
            Self::Q8_0 => include_str!("../shaders/model/dot_q8_0.wgsl"),
            Self::Q4_0 => include_str!("../shaders/model/dot_q4_0.wgsl"),
            Self::Q4_1 => include_str!("../shaders/model/dot_q4_1.wgsl"),
            Self::Q5_0 => include_str!("../shaders/model/dot_q5_0.wgsl"),
            Self::Q5_1 => include_str!("../shaders/model/dot_q5_1.wgsl"),
            Self::Q4K => include_str!("../shaders/model/dot_q4_k.wgsl"),
            Self::Q5K => include_str!("../shaders/model/dot_q5_k.wgsl"),
            Self::Q6K => include_str!("../shaders/model/dot_q6_k.wgsl"),
        }
    }

    /// The matrix–matrix kernels' weight loader (`tile_fetch`, `tile_decode`: 8 weights of
    /// a row): word-wise decoders for Q4_K and Q6_K (the Q4_K_M mix), `block_value` per
    /// weight for the others.
    pub fn tile_source(self) -> &'static str {
        match self {
            Self::Q4K => include_str!("../shaders/model/tile_q4_k.wgsl"),
            Self::Q6K => include_str!("../shaders/model/tile_q6_k.wgsl"),
            _ => include_str!("../shaders/model/tile_generic.wgsl"),
        }
    }

    /// Bytes of one row of `elements`.
    pub fn row_bytes(self, elements: u32) -> u32 {
        let (e, b) = self.block();
        elements / e * b
    }
}

/// A kernel that reads quantized weights, specialised to `format`; `with_dot` adds the
/// format's `sub_dot` (for kernels that declare `x`). The kernel's `enable` directives
/// go first.
pub fn compose(kernel: &str, format: QuantFormat, with_dot: bool) -> String {
    let dot = if with_dot { format.dot_source() } else { "" };
    // WGSL wants `enable` directives (`enable f16;`) before any declaration.
    let (enables, body): (Vec<&str>, Vec<&str>) =
        kernel.lines().partition(|line| line.trim_start().starts_with("enable "));
    let enables: String = enables.iter().map(|line| format!("{line}\n")).collect();
    format!("{enables}{PRELUDE}\n{}\n{dot}\n{}", format.source(), body.join("\n"))
}

/// As [`compose`], with the format's weight loader for the matrix–matrix kernels
/// ([`QuantFormat::tile_source`]) in front of the kernel.
pub fn compose_tiled(kernel: &str, format: QuantFormat) -> String {
    compose(&format!("{}\n{kernel}", format.tile_source()), format, false)
}
