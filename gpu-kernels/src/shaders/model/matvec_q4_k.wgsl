// y = W x for a Q4_K matrix, written for GPUs that stream memory wide: one workgroup of
// 64 per 4 output rows; an invocation takes 64 weights at a time (one block's 32 quant
// bytes, two sub-blocks) of each of the 4 rows, read as two 16-byte loads with the
// block's 16-byte header (d, dmin, 12 scale bytes), against 64 values of x loaded once
// (4-float loads) for the 4 rows. `pre` turns x into the product's input in the same
// pass: RMSNorm (each workgroup sums the squares of the x it reads) or the feed-forward's
// gate. No array or vector is indexed at run time (compilers may put such arrays in slow
// per-invocation memory), so the code is unrolled by hand. Blocks are 144 bytes, so a
// row's blocks (and each one's quants at bytes 16 + 32c) stay 16-byte aligned. Value of
// a low (high) nibble n of byte l of chunk c: (d·sc)·n − dmin·m with the sub-block 2c
// (2c + 1) scale and min, as ggml's dequantize_row_q4_K. matvec_wide_common.wgsl
// (composed in front) adds the partial sums up; `add` != 0 adds the result to y; rows
// land at y[out_offset + r].

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

@group(0) @binding(0) var<storage, read> q: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> nw: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> p: Params;


// 6-bit scale and min j (0..8), as ggml's get_scale_min_k4.
fn scale_min(h: vec4<u32>, j: u32) -> vec2<f32> {
    if j < 4u {
        return vec2<f32>(f32(scale_byte(h, j) & 63u), f32(scale_byte(h, j + 4u) & 63u));
    }
    let d = (scale_byte(h, j + 4u) & 0xFu) | ((scale_byte(h, j - 4u) >> 6u) << 4u);
    let m = (scale_byte(h, j + 4u) >> 4u) | ((scale_byte(h, j) >> 6u) << 4u);
    return vec2<f32>(f32(d), f32(m));
}

// Chunk c (64 weights) of the block whose header is q[hb] dotted with x: `lo` holds the
// chunk's first 32 values of x (column i: values 4i .. 4i + 4), `hi` the next 32.
fn chunk_dot(hb: u32, c: u32, lo0: mat4x4<f32>, lo1: mat4x4<f32>, hi0: mat4x4<f32>, hi1: mat4x4<f32>) -> f32 {
    let h = q[hb];
    let dm = unpack2x16float(h.x);
    let a = q[hb + 1u + 2u * c];
    let b = q[hb + 2u + 2u * c];
    let lo = nibbles(a.x, 0u) * lo0[0] + nibbles(a.y, 0u) * lo0[1] + nibbles(a.z, 0u) * lo0[2]
        + nibbles(a.w, 0u) * lo0[3] + nibbles(b.x, 0u) * lo1[0] + nibbles(b.y, 0u) * lo1[1]
        + nibbles(b.z, 0u) * lo1[2] + nibbles(b.w, 0u) * lo1[3];
    let hi = nibbles(a.x, 4u) * hi0[0] + nibbles(a.y, 4u) * hi0[1] + nibbles(a.z, 4u) * hi0[2]
        + nibbles(a.w, 4u) * hi0[3] + nibbles(b.x, 4u) * hi1[0] + nibbles(b.y, 4u) * hi1[1]
        + nibbles(b.z, 4u) * hi1[2] + nibbles(b.w, 4u) * hi1[3];
    let one = vec4<f32>(1.0);
    let sum_lo = (lo0 + lo1) * one;
    let sum_hi = (hi0 + hi1) * one;
    let sm_lo = scale_min(h, 2u * c);
    let sm_hi = scale_min(h, 2u * c + 1u);
    return dm.x * (sm_lo.x * dot(lo, one) + sm_hi.x * dot(hi, one))
        - dm.y * (sm_lo.y * dot(sum_lo, one) + sm_hi.y * dot(sum_hi, one));
}

// x[i .. i + 4] as `p.pre` asks, with Σ x² added to `ss` when normalising.
fn x4(i: u32, ss: ptr<function, f32>) -> mat4x4<f32> {
    let m = mat4x4<f32>(x[i], x[i + 1u], x[i + 2u], x[i + 3u]);
    if p.pre == 0u {
        return m;
    }
    if p.pre == 1u {
        *ss += dot(m[0], m[0]) + dot(m[1], m[1]) + dot(m[2], m[2]) + dot(m[3], m[3]);
        return mat4x4<f32>(m[0] * nw[i], m[1] * nw[i + 1u], m[2] * nw[i + 2u], m[3] * nw[i + 3u]);
    }
    return mat4x4<f32>(
        gate(m[0]) * nw[i],
        gate(m[1]) * nw[i + 1u],
        gate(m[2]) * nw[i + 2u],
        gate(m[3]) * nw[i + 3u],
    );
}

// Header index (in 16-byte units) of block 0 of row r, the last row past the end.
fn row_at(r: u32, last: u32) -> u32 {
    return (p.base + min(r, last) * p.row_bytes) / 16u;
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
    let chunks = p.row_elems / 64u;
    var acc_a = vec4<f32>(0.0);
    var acc_b = vec4<f32>(0.0);
    var ss = 0.0;
    for (var it = lid; it < chunks; it += 64u) {
        let xo = it * 16u;
        let lo0 = x4(xo, &ss);
        let lo1 = x4(xo + 4u, &ss);
        let hi0 = x4(xo + 8u, &ss);
        let hi1 = x4(xo + 12u, &ss);
        let b = 9u * (it / 4u);
        let c = it % 4u;
        acc_a += vec4<f32>(
            chunk_dot(a0 + b, c, lo0, lo1, hi0, hi1),
            chunk_dot(a1 + b, c, lo0, lo1, hi0, hi1),
            chunk_dot(a2 + b, c, lo0, lo1, hi0, hi1),
            chunk_dot(a3 + b, c, lo0, lo1, hi0, hi1),
        );
        if ROW_GROUPS == 2u {
            acc_b += vec4<f32>(
                chunk_dot(b0 + b, c, lo0, lo1, hi0, hi1),
                chunk_dot(b1 + b, c, lo0, lo1, hi0, hi1),
                chunk_dot(b2 + b, c, lo0, lo1, hi0, hi1),
                chunk_dot(b3 + b, c, lo0, lo1, hi0, hi1),
            );
        }
    }
    finish(lid, r0, last, acc_a, acc_b, ss);
}
