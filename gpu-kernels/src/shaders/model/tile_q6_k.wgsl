// The matrix–matrix kernel's weight loader for Q6_K (layout in fmt_q6_k.wgsl): 8
// consecutive weights of a 32-element quarter. Blocks are 210 bytes, so a block starts on
// a word or half a word: `tile_fetch` loads the three words that hold 8 bytes of ql and of
// qh, the scale's word and d's word; `tile_decode` shifts them into place and unpacks.
// `rb` is the row's first byte (even, as Q6_K rows are), `col` a multiple of 8.

struct Raw {
    l0: u32,
    l1: u32,
    l2: u32,
    h0: u32,
    h1: u32,
    h2: u32,
    sw: u32,
    dw: u32,
    // Bit 1: the block starts half a word in; bits 2..4: quarter k; bits 4..6: the
    // scale's byte in `sw`.
    info: u32,
}

fn tile_fetch(rb: u32, col: u32) -> Raw {
    let b = rb + (col / 256u) * 210u;
    let e = col % 256u;
    let n = e / 128u;
    let k = (e / 32u) % 4u;
    let l = e % 32u;
    let lw = (b + 64u * n + 32u * (k & 1u) + l) / 4u;
    let hw = (b + 128u + 32u * n + l) / 4u;
    let so = b + 192u + 8u * n + l / 16u + 2u * k;
    let info = (b & 2u) | (k << 2u) | ((so & 3u) << 4u);
    return Raw(q[lw], q[lw + 1u], q[lw + 2u], q[hw], q[hw + 1u], q[hw + 2u], q[so / 4u], q[(b + 208u) / 4u], info);
}

fn tile_decode(r: Raw) -> array<f32, 8> {
    let half = (r.info & 2u) != 0u;
    let k = (r.info >> 2u) & 3u;
    let sb = (r.info >> 4u) & 3u;
    let ql0 = select(r.l0, (r.l0 >> 16u) | (r.l1 << 16u), half);
    let ql1 = select(r.l1, (r.l1 >> 16u) | (r.l2 << 16u), half);
    let qh0 = select(r.h0, (r.h0 >> 16u) | (r.h1 << 16u), half);
    let qh1 = select(r.h1, (r.h1 >> 16u) | (r.h2 << 16u), half);
    let sc = f32(bitcast<i32>(r.sw << (24u - 8u * sb)) >> 24u);
    let d = unpack2x16float(r.dw);
    let scale = select(d.x, d.y, half) * sc;
    // Quarters 2 and 3 are the high nibbles of ql; qh holds two bits per quarter.
    let ls = 4u * (k / 2u);
    let hs = 2u * k;
    // Vector operations, no array indexed in a loop (compilers may put such arrays in slow
    // per-invocation memory).
    let lsv = vec4<u32>(0u, 8u, 16u, 24u) + vec4<u32>(ls);
    let hsv = vec4<u32>(0u, 8u, 16u, 24u) + vec4<u32>(hs);
    let a = ((vec4<u32>(ql0) >> lsv) & vec4<u32>(0xFu)) | (((vec4<u32>(qh0) >> hsv) & vec4<u32>(3u)) << vec4<u32>(4u));
    let c = ((vec4<u32>(ql1) >> lsv) & vec4<u32>(0xFu)) | (((vec4<u32>(qh1) >> hsv) & vec4<u32>(3u)) << vec4<u32>(4u));
    let va = scale * vec4<f32>(vec4<i32>(a) - vec4<i32>(32));
    let vc = scale * vec4<f32>(vec4<i32>(c) - vec4<i32>(32));
    return array<f32, 8>(va.x, va.y, va.z, va.w, vc.x, vc.y, vc.z, vc.w);
}
