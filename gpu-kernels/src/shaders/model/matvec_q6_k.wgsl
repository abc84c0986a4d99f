// y = W x for a Q6_K matrix, written for GPUs that stream memory wide: one workgroup of
// 64 per 4 output rows; an invocation takes 32 weights at a time of each of the 4 rows —
// 8 bytes each of the low quants at l and l + 32 and of the high bits, read a word at a
// time, for l = l0 .. l0 + 8 of one half n of a block — against the 32 values of x they
// meet, loaded once (4-float loads) for the 4 rows. `pre` turns x into the product's
// input in the same pass: RMSNorm (each workgroup sums the squares of the x it reads) or
// the feed-forward's gate. No array is indexed at run time (compilers may put such
// arrays in slow per-invocation memory). As ggml's dequantize_row_q6_K, byte l of half n
// gives the weights at 128n + l (+ 32, + 64, + 96) with scales sc[8n + l/16 (+ 2, + 4,
// + 6)], times the block's d. Blocks are 210 bytes: in a row of an even number of blocks
// every other one starts half-way into a word, so words are read at 2-byte offsets.
// matvec_wide_common.wgsl (composed in front) adds the partial sums up; `add` != 0 adds
// the result to y; rows land at y[out_offset + r].

struct Params {
    row_elems: u32,
    row_bytes: u32,
    rows: u32,
    base: u32,
    add: u32,
    out_offset: u32,
    // What x is before the product, in the same dispatch: 0: x; 1: RMSNorm with weights
    // `nw`, y = (W (x ⊙ nw)) / sqrt(mean(x²) + eps); 2: silu(x) ⊙ nw; 3: gelu(x) ⊙ nw (x
    // and nw the feed-forward's gate and up).
    pre: u32,
    eps: f32,
}

@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> nw: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> p: Params;

const BLOCK_BYTES: u32 = 210u;

// The 32-bit word at byte `off` (a multiple of 2).
fn word_at(off: u32) -> u32 {
    let i = off >> 2u;
    if (off & 2u) == 0u {
        return q[i];
    }
    return (q[i] >> 16u) | (q[i + 1u] << 16u);
}

fn i8_at(off: u32) -> f32 {
    let w = q[off >> 2u] >> ((off & 3u) * 8u);
    return f32((i32(w & 0xFFu) << 24u) >> 24u);
}

const SHIFTS: vec4<u32> = vec4<u32>(0u, 8u, 16u, 24u);

// The four 6-bit values (minus 32) of word `lo` (nibbles from `lo_shift`) and `hi` (2 bits
// from `hi_shift`).
fn six_bits(lo: u32, lo_shift: u32, hi: u32, hi_shift: u32) -> vec4<f32> {
    let l = (vec4<u32>(lo) >> (SHIFTS + vec4<u32>(lo_shift))) & vec4<u32>(0xFu);
    let h = (vec4<u32>(hi) >> (SHIFTS + vec4<u32>(hi_shift))) & vec4<u32>(3u);
    return vec4<f32>(vec4<i32>(l | (h << vec4<u32>(4u))) - vec4<i32>(32));
}

// Weights l0 .. l0 + 8 of half n of the block at byte `b`, dotted with x: column 2g + j
// of `xs` holds x at l0 + 4j + 32g .. + 4 of the half (g = 0..4, j = 0..2).
fn part_dot(b: u32, n: u32, l0: u32, xa: mat4x4<f32>, xb: mat4x4<f32>) -> f32 {
    let ql = b + 64u * n + l0;
    let qh = b + 128u + 32u * n + l0;
    let lo0a = word_at(ql);
    let lo0b = word_at(ql + 4u);
    let lo1a = word_at(ql + 32u);
    let lo1b = word_at(ql + 36u);
    let ha = word_at(qh);
    let hb = word_at(qh + 4u);
    let acc = vec4<f32>(
        dot(six_bits(lo0a, 0u, ha, 0u), xa[0]) + dot(six_bits(lo0b, 0u, hb, 0u), xa[1]),
        dot(six_bits(lo1a, 0u, ha, 2u), xa[2]) + dot(six_bits(lo1b, 0u, hb, 2u), xa[3]),
        dot(six_bits(lo0a, 4u, ha, 4u), xb[0]) + dot(six_bits(lo0b, 4u, hb, 4u), xb[1]),
        dot(six_bits(lo1a, 4u, ha, 6u), xb[2]) + dot(six_bits(lo1b, 4u, hb, 6u), xb[3]),
    );
    let sc = b + 192u + 8u * n + l0 / 16u;
    let scales = vec4<f32>(i8_at(sc), i8_at(sc + 2u), i8_at(sc + 4u), i8_at(sc + 6u));
    let d = unpack2x16float(word_at(b + 208u) & 0xFFFFu).x;
    return d * dot(acc, scales);
}


// Byte offset of row r, the last row past the end.
fn row_at(r: u32, last: u32) -> u32 {
    return p.base + min(r, last) * p.row_bytes;
}

@compute @workgroup_size(64)
fn main(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let r0 = (wid.x + wid.y * nwg.x) * ROWS * ROW_GROUPS;
    if r0 >= p.rows {
        return;
    }
    // Rows past the last are the last again (computed, never written).
    let last = p.rows - 1u;
    let a0 = row_at(r0, last);
    let a1 = row_at(r0 + 1u, last);
    let a2 = row_at(r0 + 2u, last);
    let a3 = row_at(r0 + 3u, last);
    let b0 = row_at(r0 + 4u, last);
    let b1 = row_at(r0 + 5u, last);
    let b2 = row_at(r0 + 6u, last);
    let b3 = row_at(r0 + 7u, last);
    // 8 parts per block: (half n, l0 = 0, 8, 16, 24).
    let parts = p.row_elems / 32u;
    var acc_a = vec4<f32>(0.0);
    var acc_b = vec4<f32>(0.0);
    var ss = 0.0;
    for (var it = lid; it < parts; it += 64u) {
        let blk = it / 8u;
        let n = (it / 4u) % 2u;
        let l0 = 8u * (it % 4u);
        let xi = blk * 64u + n * 32u + l0 / 4u;
        let xa = mat4x4<f32>(xv(xi, &ss), xv(xi + 1u, &ss), xv(xi + 8u, &ss), xv(xi + 9u, &ss));
        let xb = mat4x4<f32>(xv(xi + 16u, &ss), xv(xi + 17u, &ss), xv(xi + 24u, &ss), xv(xi + 25u, &ss));
        let b = blk * BLOCK_BYTES;
        acc_a += vec4<f32>(
            part_dot(a0 + b, n, l0, xa, xb),
            part_dot(a1 + b, n, l0, xa, xb),
            part_dot(a2 + b, n, l0, xa, xb),
            part_dot(a3 + b, n, l0, xa, xb),
        );
        if ROW_GROUPS == 2u {
            acc_b += vec4<f32>(
                part_dot(b0 + b, n, l0, xa, xb),
                part_dot(b1 + b, n, l0, xa, xb),
                part_dot(b2 + b, n, l0, xa, xb),
                part_dot(b3 + b, n, l0, xa, xb),
            );
        }
    }
    finish(lid, r0, last, acc_a, acc_b, ss);
}
