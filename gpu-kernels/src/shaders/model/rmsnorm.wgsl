// RMSNorm of `rows` rows of `len`: y = x / sqrt(mean(x²) + eps), times w (one weight per
// column, shared by the rows: a layer's norm, or per-head Q/K norm) when `has_weight`.
// One workgroup of 256 per row (a row is at most a few thousand values: each invocation
// loads a handful); the squares are summed as a tree.

struct Params {
    len: u32,
    rows: u32,
    eps: f32,
    has_weight: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn main(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let row = wid.x + wid.y * nwg.x;
    if row >= p.rows {
        return;
    }
    let base = row * p.len;
    var acc = 0.0;
    for (var i = lid; i < p.len; i += 256u) {
        acc += x[base + i] * x[base + i];
    }
    partial[lid] = acc;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if lid < s {
            partial[lid] += partial[lid + s];
        }
        workgroupBarrier();
    }
    let scale = 1.0 / sqrt(partial[0] / f32(p.len) + p.eps);
    for (var i = lid; i < p.len; i += 256u) {
        let v = x[base + i] * scale;
        y[base + i] = select(v, v * w[i], p.has_weight != 0u);
    }
}
