// Causal attention of `queries` tokens at positions pos .. pos + queries over the KV cache
// (which already holds their keys and values), one workgroup of 64 per (query, head):
// grouped-query heads share KV head h / (heads / kv_heads); the token at position P sees
// positions max(0, P + 1 − window) ..= P (all up to P when `window` is 0). Scores
// scale × q·k go to `scores` ([query][head][ctx]), then softmax (max subtracted) and the
// weighted sum of V. Q and the output are [query][head][dim]; caches [position][kv head][dim].

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

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> scores: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

var<workgroup> red: array<f32, 64>;

fn reduce_max(lid: u32, value: f32) -> f32 {
    red[lid] = value;
    workgroupBarrier();
    for (var s = 32u; s > 0u; s >>= 1u) {
        if lid < s {
            red[lid] = max(red[lid], red[lid + s]);
        }
        workgroupBarrier();
    }
    let r = red[0];
    workgroupBarrier();
    return r;
}

fn reduce_sum(lid: u32, value: f32) -> f32 {
    red[lid] = value;
    workgroupBarrier();
    for (var s = 32u; s > 0u; s >>= 1u) {
        if lid < s {
            red[lid] += red[lid + s];
        }
        workgroupBarrier();
    }
    let r = red[0];
    workgroupBarrier();
    return r;
}

@compute @workgroup_size(64)
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
    let qb = g * p.dim;
    let sb = g * p.ctx;
    var best = -3.0e38;
    for (var t = first + lid; t <= pos; t += 64u) {
        let kb = (t * p.kv_heads + kvh) * p.dim;
        var dot = 0.0;
        for (var d = 0u; d < p.dim; d++) {
            dot += q[qb + d] * k[kb + d];
        }
        let s = dot * p.scale;
        scores[sb + t] = s;
        best = max(best, s);
    }
    let m = reduce_max(lid, best);
    var total = 0.0;
    for (var t = first + lid; t <= pos; t += 64u) {
        let e = exp(scores[sb + t] - m);
        scores[sb + t] = e;
        total += e;
    }
    let sum = reduce_sum(lid, total);
    storageBarrier();
    for (var d = lid; d < p.dim; d += 64u) {
        var acc = 0.0;
        for (var t = first; t <= pos; t++) {
            acc += scores[sb + t] * v[(t * p.kv_heads + kvh) * p.dim + d];
        }
        out[qb + d] = acc / sum;
    }
}
