// Joins the segments attention_split.wgsl left for each head: with M the largest of the
// segments' maxima m_s, out = Σ_s o_s·exp(m_s − M) / Σ_s l_s·exp(m_s − M). One workgroup
// of 64 per head, an invocation per 4 dimensions.

struct Params {
    heads: u32,
    dim: u32,
    segments: u32,
    _p0: u32,
    _p1: u32,
    _p2: u32,
    _p3: u32,
    _p4: u32,
}

@group(0) @binding(0) var<storage, read> parts: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
    let h = wid.x;
    let d4 = p.dim / 4u;
    if h >= p.heads || lid >= d4 {
        return;
    }
    let stride = d4 + 1u;
    let base = h * p.segments * stride;
    var most = -3.0e38;
    for (var s = 0u; s < p.segments; s++) {
        most = max(most, parts[base + s * stride + d4].x);
    }
    var o = vec4<f32>(0.0);
    var l = 0.0;
    for (var s = 0u; s < p.segments; s++) {
        let ml = parts[base + s * stride + d4];
        let w = exp(ml.x - most);
        l += ml.y * w;
        o += parts[base + s * stride + lid] * w;
    }
    out[h * d4 + lid] = o / l;
}
