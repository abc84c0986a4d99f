//! Test helpers shared by the GPU tests: the context (or a skip), deterministic data and
//! quantized blocks with sane scale fields.

#![allow(dead_code)]

use roofline_gpu::model::QuantFormat;
use roofline_gpu::{ContextOptions, GpuContext};

/// The adapter at hand; `None` (skip) without one unless `ROOFLINE_REQUIRE_GPU=1`.
pub fn context() -> Option<GpuContext> {
    match pollster::block_on(GpuContext::new(&ContextOptions::default())) {
        Ok(ctx) => Some(ctx),
        Err(error) => {
            assert!(std::env::var("ROOFLINE_REQUIRE_GPU").as_deref() != Ok("1"), "no adapter: {error}");
            eprintln!("skipped: {error}");
            None
        }
    }
}

/// xorshift64*: deterministic test data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A finite f16 of moderate size (about 2^-5 to 2^2), as a scale would be.
    pub fn f16_bits(&mut self) -> u16 {
        let r = self.next();
        let sign = (r & 1) as u16;
        let exponent = 10 + (r >> 1) % 8;
        let mantissa = ((r >> 8) & 0x3FF) as u16;
        (sign << 15) | ((exponent as u16) << 10) | mantissa
    }

    /// Uniform in [-1, 1).
    pub fn f32_unit(&mut self) -> f32 {
        ((self.next() >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

/// `rows` rows of `row_elems` in `format`: random quant bits, sane scale fields.
pub fn generate(format: QuantFormat, row_elems: u32, rows: u32, rng: &mut Rng) -> Vec<u8> {
    let (elems, block_bytes) = format.block();
    let blocks = (row_elems / elems * rows) as usize;
    let mut out = Vec::with_capacity(blocks * block_bytes as usize);
    for _ in 0..blocks {
        let mut block: Vec<u8> = (0..block_bytes).map(|_| rng.next() as u8).collect();
        match format {
            QuantFormat::F32 => block.copy_from_slice(&rng.f32_unit().to_le_bytes()),
            QuantFormat::Bf16 => block.copy_from_slice(&((rng.f32_unit().to_bits() >> 16) as u16).to_le_bytes()),
            _ => {
                for &at in format.f16_fields() {
                    block[at..at + 2].copy_from_slice(&rng.f16_bits().to_le_bytes());
                }
            }
        }
        out.extend(block);
    }
    out
}
