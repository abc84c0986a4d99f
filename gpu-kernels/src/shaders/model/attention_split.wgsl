// One query's attention (a generated token) split over the positions it sees, so that a
// long context keeps many workgroups busy ("flash decoding"): workgroup (head h, segment
// s) of 256 takes the s-th of `segments` equal runs of positions, computes their scores
// (K rows as 4-float loads), their maximum m, the sum l of exp(score − m) and the
// weighted sum o of V rows with those weights, and leaves (o, then (m, l, 0, 0)) at
// parts[(h·segments + s)·(dim/4 + 1) ..]; attention_combine.wgsl joins the segments.
// Positions, windows and grouped-query heads as attention.wgsl; head dimensions that are
// multiples of 4, up to 256. A segment with no positions leaves m = −3e38, l = 0, o = 0.

struct Params {
    heads: u32,
    kv_heads: u32,
    dim: u32,
    pos: u32,
    window: u32,
    ctx: u32,
    scale: f32,
    segments: u32,
}

@group(0) @binding(0) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;
@group(0) @binding(4) var<storage, read_write> parts: array<vec4<f32>>;
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
    if g >= p.heads * p.segments {
        return;
    }
    let h = g % p.heads;
    let seg = g / p.heads;
    let kvh = h / (p.heads / p.kv_heads);
    var first = 0u;
    if p.window > 0u && p.pos + 1u > p.window {
        first = p.pos + 1u - p.window;
    }
    let per = (p.pos + 1u - first + p.segments - 1u) / p.segments;
    let s0 = first + seg * per;
    let s1 = min(s0 + per, p.pos + 1u);
    let d4 = p.dim / 4u;
    if lid < d4 {
        query[lid] = q[h * d4 + lid];
    }
    workgroupBarrier();
    let sb = h * p.ctx;
    let row = p.kv_heads * d4;
    var best = -3.0e38;
    for (var t = s0 + lid; t < s1; t += WG) {
        let kb = t * row + kvh * d4;
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
    for (var t = s0 + lid; t < s1; t += WG) {
        let e = exp(scores[sb + t] - m);
        scores[sb + t] = e;
        total += e;
    }
    let l = reduce(lid, total, false);
    storageBarrier();
    let slices = WG / d4;
    let lane = lid % d4;
    let slice = lid / d4;
    var b0 = vec4<f32>(0.0);
    var b1 = vec4<f32>(0.0);
    if slice < slices {
        let vb = kvh * d4 + lane;
        var t = s0 + slice;
        for (; t + slices < s1; t += 2u * slices) {
            b0 += scores[sb + t] * v[t * row + vb];
            b1 += scores[sb + t + slices] * v[(t + slices) * row + vb];
        }
        for (; t < s1; t += slices) {
            b0 += scores[sb + t] * v[t * row + vb];
        }
    }
    part[lid] = b0 + b1;
    workgroupBarrier();
    if slice == 0u {
        var o = part[lane];
        for (var s = 1u; s < slices; s++) {
            o += part[s * d4 + lane];
        }
        parts[(h * p.segments + seg) * (d4 + 1u) + lane] = o;
    }
    if lid == 0u {
        parts[(h * p.segments + seg) * (d4 + 1u) + d4] = vec4<f32>(m, l, 0.0, 0.0);
    }
}
