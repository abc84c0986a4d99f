// y = W x for a Q4_K matrix with every load coalesced: neighbouring invocations read
// neighbouring bytes of the weights and neighbouring values of x. 16 invocations share a
// block: invocation j reads 8 bytes of its quants (bytes 8j .. 8j + 8, in chunk c = j / 4
// at l = 8 (j % 4)), whose low nibbles are the weights 64c + l .. + 8 and high nibbles
// the 8 weights 32 further, so the 16 read the block's 128 quant bytes as one run; each
// also reads the block's 16-byte header (d, dmin, 12 scale bytes), the same address for
// all 16. A workgroup of 64 takes 4 blocks of each of its 4 (or 8) rows per step, x loaded
// once (4-float loads) for all its rows. `pre` turns x into the product's input in the
// same pass, as in matvec_q4_k.wgsl. Value of a low (high) nibble n: (d·sc)·n − dmin·m
// with the sub-block 2c (2c + 1) scale and min, as ggml's dequantize_row_q4_K.
// matvec_wide_common.wgsl (composed in front) adds the partial sums up; `add` != 0 adds
// the result to y; rows land at y[out_offset + r].

struct Params {
    row_elems: u32,
    row_bytes: u32,
    rows: u32,
    base: u32,
    add: u32,
    out_offset: u32,
    // 0: x; 1: RMSNorm with weights `nw`; 2: silu(x) ⊙ nw; 3: gelu(x) ⊙ nw.
    pre: u32,
    eps: f32,
}

@group(0) @binding(0) var<storage, read> q: array<vec2<u32>>;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> nw: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> p: Params;

// A block is 144 bytes: 18 pairs of words.
const BLOCK_PAIRS: u32 = 18u;

// 6-bit scale and min j (0..8), as ggml's get_scale_min_k4, without a branch (j differs
// between the invocations of a block).
fn scale_min(h: vec4<u32>, j: u32) -> vec2<f32> {
    let low = vec2<u32>(scale_byte(h, j) & 63u, scale_byte(h, j + 4u) & 63u);
    let k = j % 4u;
    let high = vec2<u32>(
        (scale_byte(h, k + 8u) & 0xFu) | ((scale_byte(h, k) >> 6u) << 4u),
        (scale_byte(h, k + 8u) >> 4u) | ((scale_byte(h, k + 4u) >> 6u) << 4u),
    );
    return vec2<f32>(select(low, high, j >= 4u));
}

// This invocation's 16 weights of the block at pair `hb` dotted with x: `xl0`, `xl1` the
// 8 values the low nibbles meet, `xh0`, `xh1` the 8 the high ones meet, `sl`, `sh` their
// sums; `c` the chunk and `qp` the pair of the quants.
fn part(hb: u32, c: u32, qp: u32, xl0: vec4<f32>, xl1: vec4<f32>, xh0: vec4<f32>, xh1: vec4<f32>, sl: f32, sh: f32) -> f32 {
    let h = vec4<u32>(q[hb], q[hb + 1u]);
    let w = q[hb + qp];
    let dm = unpack2x16float(h.x);
    let one = vec4<f32>(1.0);
    let lo = dot(nibbles(w.x, 0u) * xl0 + nibbles(w.y, 0u) * xl1, one);
    let hi = dot(nibbles(w.x, 4u) * xh0 + nibbles(w.y, 4u) * xh1, one);
    let sm_lo = scale_min(h, 2u * c);
    let sm_hi = scale_min(h, 2u * c + 1u);
    return dm.x * (sm_lo.x * lo + sm_hi.x * hi) - dm.y * (sm_lo.y * sl + sm_hi.y * sh);
}

// Pair index of block 0 of row r, the last row past the end.
fn row_at(r: u32, last: u32) -> u32 {
    return (p.base + min(r, last) * p.row_bytes) / 8u;
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
    let blocks = p.row_elems / 256u;
    let j = lid % 16u;
    let c = j / 4u;
    // This invocation's x (in 4-float units) within a block's 64, and its quant pair.
    let xq = 16u * c + 2u * (j % 4u);
    let qp = 2u + j;
    var acc_a = vec4<f32>(0.0);
    var acc_b = vec4<f32>(0.0);
    var ss = 0.0;
    for (var blk = lid / 16u; blk < blocks; blk += 4u) {
        let xo = 64u * blk + xq;
        let xl0 = xv(xo, &ss);
        let xl1 = xv(xo + 1u, &ss);
        let xh0 = xv(xo + 8u, &ss);
        let xh1 = xv(xo + 9u, &ss);
        let one = vec4<f32>(1.0);
        let sl = dot(xl0 + xl1, one);
        let sh = dot(xh0 + xh1, one);
        let bo = BLOCK_PAIRS * blk;
        acc_a += vec4<f32>(
            part(a0 + bo, c, qp, xl0, xl1, xh0, xh1, sl, sh),
            part(a1 + bo, c, qp, xl0, xl1, xh0, xh1, sl, sh),
            part(a2 + bo, c, qp, xl0, xl1, xh0, xh1, sl, sh),
            part(a3 + bo, c, qp, xl0, xl1, xh0, xh1, sl, sh),
        );
        if ROW_GROUPS == 2u {
            acc_b += vec4<f32>(
                part(b0 + bo, c, qp, xl0, xl1, xh0, xh1, sl, sh),
                part(b1 + bo, c, qp, xl0, xl1, xh0, xh1, sl, sh),
                part(b2 + bo, c, qp, xl0, xl1, xh0, xh1, sl, sh),
                part(b3 + bo, c, qp, xl0, xl1, xh0, xh1, sl, sh),
            );
        }
    }
    finish(lid, r0, last, acc_a, acc_b, ss);
}
