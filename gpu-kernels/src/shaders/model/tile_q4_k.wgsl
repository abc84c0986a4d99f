// The matrix–matrix kernel's weight loader for Q4_K (layout in fmt_q4_k.wgsl): 8
// consecutive weights of a 32-element sub-block. `tile_fetch` only loads words (d and
// dmin, the 12 scale bytes, the 8 quant bytes); `tile_decode` unpacks the sub-block's
// 6-bit scale and minimum once and the 8 nibbles from two words. `rb` is the row's first
// byte (a multiple of 4, as Q4_K rows are), `col` a multiple of 8.

struct Raw {
    dm: u32,
    s0: u32,
    s1: u32,
    s2: u32,
    q0: u32,
    q1: u32,
    sub: u32,
}

fn tile_fetch(rb: u32, col: u32) -> Raw {
    let w = (rb + (col / 256u) * 144u) / 4u;
    let e = col % 256u;
    let sub = e / 32u;
    // Quant bytes 16 + 32 (sub / 2) + e % 32 of the block.
    let qw = w + 4u + 8u * (sub / 2u) + (e % 32u) / 4u;
    return Raw(q[w], q[w + 1u], q[w + 2u], q[w + 3u], q[qw], q[qw + 1u], sub);
}

fn tile_decode(r: Raw) -> array<f32, 8> {
    // get_scale_min_k4 of sub-block j: scales bytes 0..4 in s0, 4..8 in s1, 8..12 in s2.
    let j = r.sub;
    var sc: u32;
    var mn: u32;
    if j < 4u {
        sc = (r.s0 >> (8u * j)) & 63u;
        mn = (r.s1 >> (8u * j)) & 63u;
    } else {
        let i = 8u * (j - 4u);
        sc = ((r.s2 >> i) & 0xFu) | (((r.s0 >> (i + 6u)) & 3u) << 4u);
        mn = ((r.s2 >> (i + 4u)) & 0xFu) | (((r.s1 >> (i + 6u)) & 3u) << 4u);
    }
    let d = unpack2x16float(r.dm);
    let scale = d.x * f32(sc);
    let minimum = d.y * f32(mn);
    // Odd sub-blocks are the high nibbles. Vector operations, no array indexed in a loop
    // (compilers may put such arrays in slow per-invocation memory).
    let shifts = vec4<u32>(0u, 8u, 16u, 24u) + vec4<u32>(4u * (j & 1u));
    let nib = vec4<u32>(0xFu);
    let lo = scale * vec4<f32>((vec4<u32>(r.q0) >> shifts) & nib) - vec4<f32>(minimum);
    let hi = scale * vec4<f32>((vec4<u32>(r.q1) >> shifts) & nib) - vec4<f32>(minimum);
    return array<f32, 8>(lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w);
}
