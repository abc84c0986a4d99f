// Y = X Wᵀ for a quantized W (`rows` × `row_elems`) and `tokens` rows of X (f32,
// [token][row_elems]): the prompt's matrix products. One workgroup of 256 computes a tile
// of 64 weight rows × 32 tokens (× 64 tokens as `Matmul64`), 32 columns per step:
// - load: each invocation decodes 8 consecutive weights of one row (the format's
//   `tile_fetch`/`tile_decode`: a K-quant's scale and minimum once, its quants a word at a
//   time) and 4 (8) values of X into workgroup memory. The next step's words are fetched
//   before this step's products, so their latency hides behind the arithmetic.
// - multiply: four groups of 64 invocations each take 8 of the 32 columns (a split of K
//   inside the workgroup: 2,048 outputs per workgroup, yet 32 per invocation), and each
//   invocation accumulates 8 rows × 4 tokens (8 × 8) in registers from two vec4 of weights
//   and one (two) of X per column, the next column's loaded before this column's products.
// No array is indexed in the loops (compilers may put such arrays in slow per-invocation
// memory; on an H100 writing the stores out made the products 12–44 % faster).
// - end: the groups' partial sums are added through workgroup memory and group 0 writes.
// Y[t][out_offset + r] with rows `y_stride` apart, so a matrix split into row chunks fills
// one output; `add` != 0 adds to Y. `base` must be a multiple of 4 (it is 0).

struct Params {
    row_elems: u32,
    row_bytes: u32,
    rows: u32,
    base: u32,
    add: u32,
    out_offset: u32,
    tokens: u32,
    y_stride: u32,
}

@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// Groups of 32 tokens per workgroup (the source is composed with 2 for `Matmul64`, whose
// invocations then keep 8 rows × 8 tokens).
const TOKEN_GROUPS: u32 = 1u;

const ROWS: u32 = 64u;
const TOKENS: u32 = 32u * TOKEN_GROUPS;
const STEP: u32 = 32u;
// vec4 of X per column.
const X_ROW: u32 = TOKENS / 4u;

// [column][row / 4] (16 vec4 per column) and [column][token / 4] (X_ROW per column).
var<workgroup> w_tile: array<vec4<f32>, 512>;
var<workgroup> x_tile: array<vec4<f32>, 256u * TOKEN_GROUPS>;

// Four values of token row `t` from column `c`, zero past the row's end.
fn load_x4(t: u32, c: u32) -> vec4<f32> {
    let o = t * p.row_elems + c;
    if c + 4u <= p.row_elems {
        return vec4<f32>(x[o], x[o + 1u], x[o + 2u], x[o + 3u]);
    }
    return vec4<f32>(
        select(0.0, x[o], c < p.row_elems),
        select(0.0, x[o + 1u], c + 1u < p.row_elems),
        select(0.0, x[o + 2u], c + 2u < p.row_elems),
        select(0.0, x[o + 3u], c + 3u < p.row_elems),
    );
}

@compute @workgroup_size(256)
fn main(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let row_tiles = (p.rows + ROWS - 1u) / ROWS;
    let g = wid.x + wid.y * nwg.x;
    if g >= row_tiles * ((p.tokens + TOKENS - 1u) / TOKENS) {
        return;
    }
    let r0 = (g % row_tiles) * ROWS;
    let t0 = (g / row_tiles) * TOKENS;
    // Loading: weight row `lr`, columns 8 lpart ..; X token `lt`, columns 4 lq ...
    let lr = lid % ROWS;
    let lpart = lid / ROWS;
    let rb = p.base + min(r0 + lr, p.rows - 1u) * p.row_bytes;
    let lt = lid % 32u;
    let lq = lid / 32u;
    let xt = min(t0 + lt, p.tokens - 1u);
    let xt2 = min(t0 + 32u + lt, p.tokens - 1u);
    // Multiplying: group `grp` takes columns 8 grp ..; rows 4 rg .. and 32 + 4 rg ..,
    // tokens 4 tg ...
    let grp = lid / 64u;
    let rg = lid % 8u;
    let tg = (lid % 64u) / 8u;
    var a0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0);
    var b0 = vec4<f32>(0.0);
    var b1 = vec4<f32>(0.0);
    var b2 = vec4<f32>(0.0);
    var b3 = vec4<f32>(0.0);
    var c0 = vec4<f32>(0.0);
    var c1 = vec4<f32>(0.0);
    var c2 = vec4<f32>(0.0);
    var c3 = vec4<f32>(0.0);
    var d0 = vec4<f32>(0.0);
    var d1 = vec4<f32>(0.0);
    var d2 = vec4<f32>(0.0);
    var d3 = vec4<f32>(0.0);
    let steps = (p.row_elems + STEP - 1u) / STEP;
    var raw = tile_fetch(rb, 8u * lpart);
    var xr = load_x4(xt, 4u * lq);
    var xr2 = vec4<f32>(0.0);
    if TOKEN_GROUPS == 2u {
        xr2 = load_x4(xt2, 4u * lq);
    }
    for (var s = 0u; s < steps; s++) {
        var w = tile_decode(raw);
        let wb0 = (8u * lpart) * 16u + lr / 4u;
        let wc = lr % 4u;
        w_tile[wb0][wc] = w[0];
        w_tile[wb0 + 16u][wc] = w[1];
        w_tile[wb0 + 32u][wc] = w[2];
        w_tile[wb0 + 48u][wc] = w[3];
        w_tile[wb0 + 64u][wc] = w[4];
        w_tile[wb0 + 80u][wc] = w[5];
        w_tile[wb0 + 96u][wc] = w[6];
        w_tile[wb0 + 112u][wc] = w[7];
        let xb0 = (4u * lq) * X_ROW + lt / 4u;
        let xc = lt % 4u;
        x_tile[xb0][xc] = xr.x;
        x_tile[xb0 + X_ROW][xc] = xr.y;
        x_tile[xb0 + 2u * X_ROW][xc] = xr.z;
        x_tile[xb0 + 3u * X_ROW][xc] = xr.w;
        if TOKEN_GROUPS == 2u {
            x_tile[xb0 + 8u][xc] = xr2.x;
            x_tile[xb0 + 8u + X_ROW][xc] = xr2.y;
            x_tile[xb0 + 8u + 2u * X_ROW][xc] = xr2.z;
            x_tile[xb0 + 8u + 3u * X_ROW][xc] = xr2.w;
        }
        workgroupBarrier();
        if s + 1u < steps {
            let c = (s + 1u) * STEP;
            raw = tile_fetch(rb, c + 8u * lpart);
            xr = load_x4(xt, c + 4u * lq);
            if TOKEN_GROUPS == 2u {
                xr2 = load_x4(xt2, c + 4u * lq);
            }
        }
        let kb = 8u * grp;
        var wa = w_tile[kb * 16u + rg];
        var wb = w_tile[kb * 16u + 8u + rg];
        var xv = x_tile[kb * X_ROW + tg];
        var xu = x_tile[kb * X_ROW + 8u + tg];
        for (var kk = 0u; kk < 8u; kk++) {
            // The next column's values are loaded before this column's products.
            let kn = kb + min(kk + 1u, 7u);
            let na = w_tile[kn * 16u + rg];
            let nb = w_tile[kn * 16u + 8u + rg];
            let nv = x_tile[kn * X_ROW + tg];
            var nu = vec4<f32>(0.0);
            if TOKEN_GROUPS == 2u {
                nu = x_tile[kn * X_ROW + 8u + tg];
            }
            a0 += wa * xv.x;
            a1 += wa * xv.y;
            a2 += wa * xv.z;
            a3 += wa * xv.w;
            b0 += wb * xv.x;
            b1 += wb * xv.y;
            b2 += wb * xv.z;
            b3 += wb * xv.w;
            if TOKEN_GROUPS == 2u {
                c0 += wa * xu.x;
                c1 += wa * xu.y;
                c2 += wa * xu.z;
                c3 += wa * xu.w;
                d0 += wb * xu.x;
                d1 += wb * xu.y;
                d2 += wb * xu.z;
                d3 += wb * xu.w;
            }
            wa = na;
            wb = nb;
            xv = nv;
            xu = nu;
        }
        workgroupBarrier();
    }
    // Groups 1..3 hand their sums to group 0 through x_tile, one accumulator at a time;
    // a_i: rows 4 rg .., token 4 tg + i; b_i 32 rows further; c_i and d_i 32 tokens further.
    let sa0 = gather(lid, grp, a0);
    let sa1 = gather(lid, grp, a1);
    let sa2 = gather(lid, grp, a2);
    let sa3 = gather(lid, grp, a3);
    let sb0 = gather(lid, grp, b0);
    let sb1 = gather(lid, grp, b1);
    let sb2 = gather(lid, grp, b2);
    let sb3 = gather(lid, grp, b3);
    var sc0 = c0;
    var sc1 = c1;
    var sc2 = c2;
    var sc3 = c3;
    var sd0 = d0;
    var sd1 = d1;
    var sd2 = d2;
    var sd3 = d3;
    if TOKEN_GROUPS == 2u {
        sc0 = gather(lid, grp, c0);
        sc1 = gather(lid, grp, c1);
        sc2 = gather(lid, grp, c2);
        sc3 = gather(lid, grp, c3);
        sd0 = gather(lid, grp, d0);
        sd1 = gather(lid, grp, d1);
        sd2 = gather(lid, grp, d2);
        sd3 = gather(lid, grp, d3);
    }
    if grp != 0u {
        return;
    }
    let ta = t0 + 4u * tg;
    let ra = r0 + 4u * rg;
    put(ta, ra, sa0);
    put(ta + 1u, ra, sa1);
    put(ta + 2u, ra, sa2);
    put(ta + 3u, ra, sa3);
    put(ta, ra + 32u, sb0);
    put(ta + 1u, ra + 32u, sb1);
    put(ta + 2u, ra + 32u, sb2);
    put(ta + 3u, ra + 32u, sb3);
    if TOKEN_GROUPS == 2u {
        put(ta + 32u, ra, sc0);
        put(ta + 33u, ra, sc1);
        put(ta + 34u, ra, sc2);
        put(ta + 35u, ra, sc3);
        put(ta + 32u, ra + 32u, sd0);
        put(ta + 33u, ra + 32u, sd1);
        put(ta + 34u, ra + 32u, sd2);
        put(ta + 35u, ra + 32u, sd3);
    }
}

// Group 0's `v` plus groups 1..3's, handed over through x_tile (which the products no
// longer read); called by the whole workgroup.
fn gather(lid: u32, grp: u32, v: vec4<f32>) -> vec4<f32> {
    if grp > 0u {
        x_tile[(grp - 1u) * 64u + lid % 64u] = v;
    }
    workgroupBarrier();
    var sum = v;
    if grp == 0u {
        sum += x_tile[lid] + x_tile[64u + lid] + x_tile[128u + lid];
    }
    workgroupBarrier();
    return sum;
}

// Y[t][out_offset + r .. + 4] = v (added with `add`), for the rows and the token that exist.
fn put(t: u32, r: u32, v: vec4<f32>) {
    if t >= p.tokens {
        return;
    }
    let o = t * p.y_stride + p.out_offset + r;
    let add = p.add != 0u;
    if r < p.rows {
        y[o] = select(0.0, y[o], add) + v.x;
    }
    if r + 1u < p.rows {
        y[o + 1u] = select(0.0, y[o + 1u], add) + v.y;
    }
    if r + 2u < p.rows {
        y[o + 2u] = select(0.0, y[o + 2u], add) + v.z;
    }
    if r + 3u < p.rows {
        y[o + 3u] = select(0.0, y[o + 3u], add) + v.w;
    }
}
