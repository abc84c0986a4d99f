//! How the quantized kernels are composed with a format, and how the matrix–matrix kernels
//! cut Y = X Wᵀ into workgroups: `matmul.wgsl` (and its f16 twin) computes 64 weight rows ×
//! 32 tokens per workgroup, `matmul_thread.wgsl` 128 rows × 16 tokens.

use super::formats::{compose, compose_tiled, QuantFormat};
use super::ops::{QuantKernel, MATVEC_WIDE_COMMON};

/// Weight rows and tokens of one workgroup's tile in `matmul.wgsl` and `matmul_f16.wgsl`.
pub const MATMUL_TILE: (u32, u32) = (64, 32);

/// Weight rows and tokens of one workgroup's tile in `Matmul64`.
pub const MATMUL64_TILE: (u32, u32) = (64, 64);

/// Weight rows and tokens of one workgroup in `matmul_thread.wgsl` (64 invocations of 2
/// rows × 16 tokens).
pub const MATMUL_THREAD_TILE: (u32, u32) = (128, 16);

impl QuantKernel {
    /// Whether the kernel reads weights through the format's tile loader (`tile_*.wgsl`).
    pub fn uses_tile(self) -> bool {
        matches!(self, Self::Matmul | Self::Matmul64 | Self::MatmulF16)
    }

    /// The kernel's WGSL for `format`: prelude, format, and the dot product or tile loader
    /// it calls; or a kernel written for that format alone (`MatvecWide` for Q4_K, Q6_K).
    pub fn compose(self, format: QuantFormat) -> String {
        if let Some(source) = self.wide_source(format) {
            let common = match self {
                Self::MatvecWide8 | Self::MatvecCoalesced8 => {
                    MATVEC_WIDE_COMMON.replace("const ROW_GROUPS: u32 = 1u;", "const ROW_GROUPS: u32 = 2u;")
                }
                _ => MATVEC_WIDE_COMMON.to_string(),
            };
            format!("{common}\n{source}")
        } else if self == Self::Matmul64 {
            let source = self.source().replace("const TOKEN_GROUPS: u32 = 1u;", "const TOKEN_GROUPS: u32 = 2u;");
            compose_tiled(&source, format)
        } else if self.uses_tile() {
            compose_tiled(self.source(), format)
        } else {
            compose(self.source(), format, self.uses_dot())
        }
    }

    /// Workgroups of a matrix–matrix product of `rows` weight rows and `tokens` tokens (1
    /// for the other kernels, which `ModelOps` sizes itself).
    pub fn matmul_workgroups(self, rows: u32, tokens: u32) -> u32 {
        let (r, t) = match self {
            Self::Matmul | Self::MatmulF16 => MATMUL_TILE,
            Self::Matmul64 => MATMUL64_TILE,
            Self::MatmulThread => MATMUL_THREAD_TILE,
            _ => return 1,
        };
        rows.div_ceil(r) * tokens.div_ceil(t)
    }
}
