// y = W x for a Q4_K matrix, written for GPUs that stream memory wide: one workgroup of
// 64 per 4 output rows; an invocation takes 64 weights at a time (one block's 32 quant
// bytes, two sub-blocks) of each of the 4 rows, read as two 16-byte loads with the
// block's 16-byte header (d, dmin, 12 scale bytes), against 64 values of x loaded once
// (4-float loads) for the 4 rows. Blocks are 144 bytes, so a row's
// blocks (and each one's quants at bytes 16 + 32c) stay 16-byte aligned. Value of a low
// (high) nibble n of byte l of chunk c: (d·sc)·n − dmin·m with the sub-block 2c (2c + 1)
// scale and min, as ggml's dequantize_row_q4_K. `add` != 0 adds the result to y; rows
// land at y[out_offset + r].

struct Params {
    row_elems: u32,
    row_bytes: u32,
    rows: u32,
    base: u32,
    add: u32,
    out_offset: u32,
    _p1: u32,
    _p2: u32,
}

@group(0) @binding(0) var<storage, read> q: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// Nibbles of the four bytes of `w` starting at bit `shift` (0: low, 4: high).
fn nibbles(w: u32, shift: u32) -> vec4<f32> {
    let s = vec4<u32>(shift, shift + 8u, shift + 16u, shift + 24u);
    return vec4<f32>((vec4<u32>(w) >> s) & vec4<u32>(0xFu));
}

// Byte k (0..12) of the scales, which fill words 1..3 of the header.
fn scale_byte(h: vec4<u32>, k: u32) -> u32 {
    return (h[1u + k / 4u] >> (8u * (k % 4u))) & 0xFFu;
}

// 6-bit scale and min j (0..8), as ggml's get_scale_min_k4.
fn scale_min(h: vec4<u32>, j: u32) -> vec2<f32> {
    if j < 4u {
        return vec2<f32>(f32(scale_byte(h, j) & 63u), f32(scale_byte(h, j + 4u) & 63u));
    }
    let d = (scale_byte(h, j + 4u) & 0xFu) | ((scale_byte(h, j - 4u) >> 6u) << 4u);
    let m = (scale_byte(h, j + 4u) >> 4u) | ((scale_byte(h, j) >> 6u) << 4u);
    return vec2<f32>(f32(d), f32(m));
}

// Chunk c (64 weights) of the block whose header is q[hb], dotted with `xs` (x of the
// chunk: 16 × 4 floats).
fn chunk_dot(hb: u32, c: u32, xs: ptr<function, array<vec4<f32>, 16>>) -> f32 {
    let h = q[hb];
    let dm = unpack2x16float(h.x);
    let q0 = q[hb + 1u + 2u * c];
    let q1 = q[hb + 2u + 2u * c];
    var lo = vec4<f32>(0.0);
    var hi = vec4<f32>(0.0);
    var sum_lo = vec4<f32>(0.0);
    var sum_hi = vec4<f32>(0.0);
    for (var i = 0u; i < 4u; i++) {
        let xl0 = (*xs)[i];
        let xl1 = (*xs)[4u + i];
        let xh0 = (*xs)[8u + i];
        let xh1 = (*xs)[12u + i];
        lo += nibbles(q0[i], 0u) * xl0 + nibbles(q1[i], 0u) * xl1;
        hi += nibbles(q0[i], 4u) * xh0 + nibbles(q1[i], 4u) * xh1;
        sum_lo += xl0 + xl1;
        sum_hi += xh0 + xh1;
    }
    let one = vec4<f32>(1.0);
    let sm_lo = scale_min(h, 2u * c);
    let sm_hi = scale_min(h, 2u * c + 1u);
    return dm.x * (sm_lo.x * dot(lo, one) + sm_hi.x * dot(hi, one))
        - dm.y * (sm_lo.y * dot(sum_lo, one) + sm_hi.y * dot(sum_hi, one));
}

const ROWS: u32 = 4u;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(64)
fn main(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let r0 = (wid.x + wid.y * nwg.x) * ROWS;
    if r0 >= p.rows {
        return;
    }
    let rows = min(ROWS, p.rows - r0);
    let chunks = p.row_elems / 64u;
    var acc = vec4<f32>(0.0);
    var xs: array<vec4<f32>, 16>;
    for (var it = lid; it < chunks; it += 64u) {
        for (var i = 0u; i < 16u; i++) {
            xs[i] = x[it * 16u + i];
        }
        let b = it / 4u;
        for (var r = 0u; r < rows; r++) {
            let hb = (p.base + (r0 + r) * p.row_bytes) / 16u + 9u * b;
            acc[r] += chunk_dot(hb, it % 4u, &xs);
        }
    }
    for (var r = 0u; r < ROWS; r++) {
        partial[r * 64u + lid] = acc[r];
    }
    workgroupBarrier();
    for (var s = 32u; s > 0u; s >>= 1u) {
        if lid < s {
            for (var r = 0u; r < ROWS; r++) {
                partial[r * 64u + lid] += partial[r * 64u + lid + s];
            }
        }
        workgroupBarrier();
    }
    if lid < rows {
        let o = p.out_offset + r0 + lid;
        y[o] = select(0.0, y[o], p.add != 0u) + partial[lid * 64u];
    }
}
