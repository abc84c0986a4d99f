// Causal attention as attention.wgsl computes it (same bindings, parameters and result),
// laid out for GPUs: a workgroup of 256 per (query, head) keeps the query in workgroup
// memory, gives each invocation whole positions for the scores (K rows read as 4-float
// loads, four at a time into separate sums), and splits the weighted sum of V over
// positions as well as dimensions: `lanes` = dim / 4 invocations cover a V row with
// 4-float loads, 256 / lanes of them take every (256 / lanes)-th position (four
// positions per step into separate sums, so loads overlap), and their partial sums are
// added at the end. For head dimensions that are multiples of 4, up to 256.

struct Params {
    heads: u32,
    kv_heads: u32,
    dim: u32,
    pos: u32,
    window: u32,
    ctx: u32,
    scale: f32,
    queries: u32,
}

@group(0) @binding(0) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(5) var<uniform> p: Params;

const WG: u32 = 256u;

var<workgroup> query: array<vec4<f32>, 64>;
var<workgroup> red: array<f32, WG>;
var<workgroup> part: array<vec4<f32>, WG>;

fn reduce(lid: u32, value: f32, is_max: bool) -> f32 {
    red[lid] = value;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if lid < s {
            red[lid] = select(red[lid] + red[lid + s], max(red[lid], red[lid + s]), is_max);
        }
        workgroupBarrier();
    }
    let r = red[0];
    workgroupBarrier();
    return r;
}

@compute @workgroup_size(256)
fn main(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let g = wid.x + wid.y * nwg.x;
    if g >= p.heads * p.queries {
        return;
    }
    let h = g % p.heads;
    let pos = p.pos + g / p.heads;
    let kvh = h / (p.heads / p.kv_heads);
    var first = 0u;
    if p.window > 0u && pos + 1u > p.window {
        first = pos + 1u - p.window;
    }
    let d4 = p.dim / 4u;
    let qb = g * d4;
    if lid < d4 {
        query[lid] = q[qb + lid];
    }
    workgroupBarrier();
    let sb = g * p.ctx;
    var best = -3.0e38;
    for (var t = first + lid; t <= pos; t += WG) {
        let kb = (t * p.kv_heads + kvh) * d4;
        var a0 = vec4<f32>(0.0);
        var a1 = vec4<f32>(0.0);
        var a2 = vec4<f32>(0.0);
        var a3 = vec4<f32>(0.0);
        var i = 0u;
        for (; i + 4u <= d4; i += 4u) {
            a0 += query[i] * k[kb + i];
            a1 += query[i + 1u] * k[kb + i + 1u];
            a2 += query[i + 2u] * k[kb + i + 2u];
            a3 += query[i + 3u] * k[kb + i + 3u];
        }
        for (; i < d4; i++) {
            a0 += query[i] * k[kb + i];
        }
        let acc = (a0 + a1) + (a2 + a3);
        let s = (acc.x + acc.y + acc.z + acc.w) * p.scale;
        scores[sb + t] = s;
        best = max(best, s);
    }
    let m = reduce(lid, best, true);
    var total = 0.0;
    for (var t = first + lid; t <= pos; t += WG) {
        let e = exp(scores[sb + t] - m);
        scores[sb + t] = e;
        total += e;
    }
    let sum = reduce(lid, total, false);
    storageBarrier();
    let slices = WG / d4;
    let lane = lid % d4;
    let slice = lid / d4;
    var a0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0);
    if slice < slices {
        let row = p.kv_heads * d4;
        let vb = kvh * d4 + lane;
        var t = first + slice;
        for (; t + 3u * slices <= pos; t += 4u * slices) {
            a0 += scores[sb + t] * v[t * row + vb];
            a1 += scores[sb + t + slices] * v[(t + slices) * row + vb];
            a2 += scores[sb + t + 2u * slices] * v[(t + 2u * slices) * row + vb];
            a3 += scores[sb + t + 3u * slices] * v[(t + 3u * slices) * row + vb];
        }
        for (; t <= pos; t += slices) {
            a0 += scores[sb + t] * v[t * row + vb];
        }
    }
    part[lid] = (a0 + a1) + (a2 + a3);
    workgroupBarrier();
    if slice == 0u {
        var o = part[lane];
        for (var s = 1u; s < slices; s++) {
            o += part[s * d4 + lane];
        }
        out[qb + lane] = o / sum;
    }
}
