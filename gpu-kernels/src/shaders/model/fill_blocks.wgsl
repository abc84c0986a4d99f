// Fills a weight buffer with deterministic generated data in a GGUF block layout, so a
// benchmark model needs no download: one invocation per u32 word. Every byte is a hash of
// (seed, position), except the fields that must be sane numbers: the f16 scales of each
// block (`field0`, `field1`: byte offsets within a block, 0xffffffff for none) get a
// positive f16 with exponent field `scale_exp` or one below, and float formats (`mode` 1:
// f32, 2: f16, 3: bf16) get values of magnitude 2^-7 to 2^-5 with a random sign. The CPU
// twin is `model::generated::fill_reference`; both must produce the same bytes.

struct Params {
    seed: u32,
    words: u32,
    block_bytes: u32,
    field0: u32,
    field1: u32,
    mode: u32,
    scale_exp: u32,
    pad: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> p: Params;

fn pcg(x: u32) -> u32 {
    let state = x * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

fn hash2(seed: u32, i: u32) -> u32 {
    return pcg(seed ^ pcg(i));
}

// An f32 of magnitude [2^-7, 2^-5) with a random sign.
fn weight_f32_bits(h: u32) -> u32 {
    return (h & 0x80000000u) | ((120u + ((h >> 23u) & 1u)) << 23u) | (h & 0x7fffffu);
}

// An f16 of magnitude [2^-7, 2^-5) with a random sign.
fn weight_f16_bits(h: u32) -> u32 {
    return ((h >> 16u) & 0x8000u) | ((8u + ((h >> 10u) & 1u)) << 10u) | (h & 0x3ffu);
}

// A positive f16 scale with exponent field `scale_exp` or one below.
fn scale_f16_bits(h: u32) -> u32 {
    return ((p.scale_exp - (h >> 31u)) << 10u) | (h & 0x3ffu);
}

fn block_byte(o: u32, word: u32) -> u32 {
    let block = o / p.block_bytes;
    let within = o % p.block_bytes;
    let fields = array<u32, 2>(p.field0, p.field1);
    for (var k = 0u; k < 2u; k++) {
        let f = fields[k];
        if (f != 0xffffffffu && within >= f && within < f + 2u) {
            let half = scale_f16_bits(hash2(p.seed ^ 0x5bd1e995u, block * 2u + k));
            return (half >> (8u * (within - f))) & 0xffu;
        }
    }
    return (word >> (8u * (o % 4u))) & 0xffu;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    if (i >= p.words) {
        return;
    }
    var value = 0u;
    if (p.mode == 1u) {
        value = weight_f32_bits(hash2(p.seed, i));
    } else if (p.mode == 2u) {
        value = weight_f16_bits(hash2(p.seed, 2u * i)) | (weight_f16_bits(hash2(p.seed, 2u * i + 1u)) << 16u);
    } else if (p.mode == 3u) {
        value = (weight_f32_bits(hash2(p.seed, 2u * i)) >> 16u) | (weight_f32_bits(hash2(p.seed, 2u * i + 1u)) & 0xffff0000u);
    } else {
        let word = hash2(p.seed, i);
        for (var b = 0u; b < 4u; b++) {
            value |= block_byte(i * 4u + b, word) << (8u * b);
        }
    }
    out[i] = value;
}
