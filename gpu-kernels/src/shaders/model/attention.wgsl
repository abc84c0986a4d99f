// Causal attention of `queries` tokens at positions pos .. pos + queries over the KV cache
// (which already holds their keys and values), one workgroup of 64 per (query, head):
// grouped-query heads share KV head h / (heads / kv_heads); the token at position P sees
// positions max(0, P + 1 − window) ..= P (all up to P when `window` is 0). Scores
// scale × q·k go to `scores` ([query][head][ctx]), then softmax (max subtracted) and the
// weighted sum of V. Q and the output are [query][head][dim]; caches [position][kv head][dim].
// The keys are read 64 at a time, 32 dimensions a step, into workgroup memory with whole
// rows per load (each invocation then dots its own key from there), rather than each
// invocation walking its own key's row in global memory.

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
// 64 keys × 32 dimensions, rows padded to 33 so that both the loads (a row across the
// invocations) and the dot products (a column) are free of bank conflicts; and q's 32.
var<workgroup> k_tile: array<f32, 2112>;
var<workgroup> q_tile: array<f32, 32>;

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
    for (var t0 = first; t0 <= pos; t0 += 64u) {
        var dot = 0.0;
        for (var d0 = 0u; d0 < p.dim; d0 += 32u) {
            for (var i = 0u; i < 32u; i++) {
                let key = i * 2u + lid / 32u;
                let d = d0 + lid % 32u;
                var value = 0.0;
                if t0 + key <= pos && d < p.dim {
                    value = k[((t0 + key) * p.kv_heads + kvh) * p.dim + d];
                }
                k_tile[key * 33u + lid % 32u] = value;
            }
            if lid < 32u {
                q_tile[lid] = select(0.0, q[qb + d0 + lid], d0 + lid < p.dim);
            }
            workgroupBarrier();
            for (var c = 0u; c < 32u; c++) {
                dot += q_tile[c] * k_tile[lid * 33u + c];
            }
            workgroupBarrier();
        }
        let t = t0 + lid;
        if t <= pos {
            let s = dot * p.scale;
            scores[sb + t] = s;
            best = max(best, s);
        }
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
    // Four partial sums over positions, so that the loads of one do not wait on the last
    // one's addition.
    let stride = p.kv_heads * p.dim;
    for (var d = lid; d < p.dim; d += 64u) {
        var acc = vec4<f32>(0.0);
        let vb = kvh * p.dim + d;
        var t = first;
        for (; t + 3u <= pos; t += 4u) {
            let e = vec4<f32>(scores[sb + t], scores[sb + t + 1u], scores[sb + t + 2u], scores[sb + t + 3u]);
            let o = t * stride + vb;
            acc += e * vec4<f32>(v[o], v[o + stride], v[o + 2u * stride], v[o + 3u * stride]);
        }
        for (; t <= pos; t++) {
            acc.x += scores[sb + t] * v[t * stride + vb];
        }
        out[qb + d] = (acc.x + acc.y + acc.z + acc.w) / sum;
    }
}
