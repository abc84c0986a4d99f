// y = W x for a Q6_K matrix, written for GPUs that stream memory wide: one workgroup of
// 64 per 4 output rows; an invocation takes 32 weights at a time of each of the 4 rows —
// 8 bytes each of the low quants at l and l + 32 and of the high bits, read a word at a
// time, for l = l0 .. l0 + 8 of one half n of a block — against the 32 values of x they
// meet, loaded once (4-float loads) for the 4 rows. As ggml's dequantize_row_q6_K, byte
// l of half n gives the weights at 128n + l (+ 32, + 64, + 96) with scales
// sc[8n + l/16 (+ 2, + 4, + 6)], times the block's d. Blocks are 210 bytes: in a row of
// an even number of blocks every other one starts half-way into a word, so words are
// read at 2-byte offsets. `add` != 0 adds the result to y; rows land at y[out_offset + r].

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

@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

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

// Weights l0 .. l0 + 8 of half n of the block at byte `b`, dotted with `xs`: x at
// l0 + 4j (+ 32, + 64, + 96) of the half as xs[j] (xs[2 + j], xs[4 + j], xs[6 + j]).
fn part_dot(b: u32, n: u32, l0: u32, xs: ptr<function, array<vec4<f32>, 8>>) -> f32 {
    let ql = b + 64u * n + l0;
    let qh = b + 128u + 32u * n + l0;
    var acc = vec4<f32>(0.0);
    for (var j = 0u; j < 2u; j++) {
        let lo0 = word_at(ql + 4u * j);
        let lo1 = word_at(ql + 32u + 4u * j);
        let hi = word_at(qh + 4u * j);
        acc.x += dot(six_bits(lo0, 0u, hi, 0u), (*xs)[j]);
        acc.y += dot(six_bits(lo1, 0u, hi, 2u), (*xs)[2u + j]);
        acc.z += dot(six_bits(lo0, 4u, hi, 4u), (*xs)[4u + j]);
        acc.w += dot(six_bits(lo1, 4u, hi, 6u), (*xs)[6u + j]);
    }
    let sc = b + 192u + 8u * n + l0 / 16u;
    let scales = vec4<f32>(i8_at(sc), i8_at(sc + 2u), i8_at(sc + 4u), i8_at(sc + 6u));
    let d = unpack2x16float(word_at(b + 208u) & 0xFFFFu).x;
    return d * dot(acc, scales);
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
    // 8 parts per block: (half n, l0 = 0, 8, 16, 24).
    let parts = p.row_elems / 32u;
    var acc = vec4<f32>(0.0);
    var xs: array<vec4<f32>, 8>;
    for (var it = lid; it < parts; it += 64u) {
        let b = it / 8u;
        let n = (it / 4u) % 2u;
        let l0 = 8u * (it % 4u);
        let xi = b * 64u + n * 32u + l0 / 4u;
        for (var g = 0u; g < 4u; g++) {
            xs[2u * g] = x[xi + 8u * g];
            xs[2u * g + 1u] = x[xi + 8u * g + 1u];
        }
        for (var r = 0u; r < rows; r++) {
            acc[r] += part_dot(p.base + (r0 + r) * p.row_bytes + b * BLOCK_BYTES, n, l0, &xs);
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
