// Shared by the wide matrix-vector kernels (matvec_q4_k.wgsl, matvec_q4_k_coalesced.wgsl,
// matvec_q6_k.wgsl), composed in front of each: the rows per workgroup, the feed-forward
// gate, and the end of a workgroup — its 64 invocations' partial sums added (64 → 8 → 1,
// two barriers), the RMSNorm scale applied when normalising, and the rows written; and
// the helpers more than one kernel calls (x as `pre` asks, a word's nibbles, a Q4_K scale
// byte). The kernel declares `Params` (with `add`, `out_offset`, `row_elems`, `pre`, `eps`) as `p`,
// `x` and `nw` (4-float arrays), and `y`.

const ROWS: u32 = 4u;

const SQRT_2_OVER_PI: f32 = 0.7978845608028654;

// x or silu(x) or gelu(x) (tanh form, clamped as elementwise.wgsl clamps it), by `p.pre`.
fn gate(v: vec4<f32>) -> vec4<f32> {
    if p.pre == 2u {
        return v / (1.0 + exp(-v));
    }
    let t = tanh(clamp(SQRT_2_OVER_PI * v * (1.0 + 0.044715 * v * v), vec4<f32>(-10.0), vec4<f32>(10.0)));
    return 0.5 * v * (1.0 + t);
}

// 1 or 2 groups of 4 rows per workgroup (the source is composed with 2 for
// `MatvecWide8`): each x value loaded serves 4 or 8 rows.
const ROW_GROUPS: u32 = 1u;

var<workgroup> partial_a: array<vec4<f32>, 64>;
var<workgroup> partial_b: array<vec4<f32>, 64>;
var<workgroup> squares: array<f32, 64>;
var<workgroup> eighths_a: array<vec4<f32>, 8>;
var<workgroup> eighths_b: array<vec4<f32>, 8>;
var<workgroup> eighths_sq: array<f32, 8>;

// y[out_offset + r .. + 4] = v (added to y with `add`), for the rows up to `last`.
fn store4(r: u32, last: u32, v: vec4<f32>) {
    let add = p.add != 0u;
    let o = p.out_offset + r;
    if r <= last {
        y[o] = select(0.0, y[o], add) + v.x;
    }
    if r + 1u <= last {
        y[o + 1u] = select(0.0, y[o + 1u], add) + v.y;
    }
    if r + 2u <= last {
        y[o + 2u] = select(0.0, y[o + 2u], add) + v.z;
    }
    if r + 3u <= last {
        y[o + 3u] = select(0.0, y[o + 3u], add) + v.w;
    }
}

// Adds up the workgroup's partial sums (acc_a for rows r0 .. r0 + 4, acc_b for the next 4,
// ss the squares of x) and writes the rows up to `last`.
fn finish(lid: u32, r0: u32, last: u32, acc_a: vec4<f32>, acc_b: vec4<f32>, ss: f32) {
    partial_a[lid] = acc_a;
    partial_b[lid] = acc_b;
    squares[lid] = ss;
    workgroupBarrier();
    if lid < 8u {
        var a = vec4<f32>(0.0);
        var b = vec4<f32>(0.0);
        var q2 = 0.0;
        for (var i = 0u; i < 8u; i++) {
            a += partial_a[8u * lid + i];
            b += partial_b[8u * lid + i];
            q2 += squares[8u * lid + i];
        }
        eighths_a[lid] = a;
        eighths_b[lid] = b;
        eighths_sq[lid] = q2;
    }
    workgroupBarrier();
    if lid == 0u {
        var a = vec4<f32>(0.0);
        var b = vec4<f32>(0.0);
        var q2 = 0.0;
        for (var i = 0u; i < 8u; i++) {
            a += eighths_a[i];
            b += eighths_b[i];
            q2 += eighths_sq[i];
        }
        let scale = select(1.0, inverseSqrt(q2 / f32(p.row_elems) + p.eps), p.pre == 1u);
        store4(r0, last, a * scale);
        if ROW_GROUPS == 2u {
            store4(r0 + 4u, last, b * scale);
        }
    }
}

// x[i] as `p.pre` asks, with its Σ x² added to `ss` when normalising.
fn xv(i: u32, ss: ptr<function, f32>) -> vec4<f32> {
    let v = x[i];
    if p.pre == 0u {
        return v;
    }
    if p.pre == 1u {
        *ss += dot(v, v);
        return v * nw[i];
    }
    return gate(v) * nw[i];
}

// Nibbles of the four bytes of `w` starting at bit `shift` (0: low, 4: high).
fn nibbles(w: u32, shift: u32) -> vec4<f32> {
    let s = vec4<u32>(shift, shift + 8u, shift + 16u, shift + 24u);
    return vec4<f32>((vec4<u32>(w) >> s) & vec4<u32>(0xFu));
}

// Byte k (0..12) of the scales, which fill words 1..3 of the header.
fn scale_byte(h: vec4<u32>, k: u32) -> u32 {
    let w = select(select(h.y, h.z, k >= 4u), h.w, k >= 8u);
    return (w >> (8u * (k % 4u))) & 0xFFu;
}
