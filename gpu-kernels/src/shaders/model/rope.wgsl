// Rotary position embedding, in place, for `tokens` rows of `heads` heads of `dim` (row t
// at position `pos` + t), on the first `n_rot` elements of each head: pair i (0 ≤ i < n_rot/2) rotates by
// pos × freq_scale × base^(−2i/n_rot). `neox` = 0 pairs elements (2i, 2i+1) (llama);
// `neox` = 1 pairs (i, i + n_rot/2) (NeoX: Qwen, Gemma).

struct Params {
    heads: u32,
    dim: u32,
    pos: u32,
    neox: u32,
    base: f32,
    freq_scale: f32,
    n_rot: u32,
    tokens: u32,
}

@group(0) @binding(0) var<storage, read_write> v: array<f32>;
@group(0) @binding(1) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let half = p.n_rot / 2u;
    let idx = gid.x + gid.y * nwg.x * 64u;
    if idx >= p.tokens * p.heads * half {
        return;
    }
    let h = idx / half;
    let i = idx % half;
    let theta = f32(p.pos + h / p.heads) * p.freq_scale * pow(p.base, -2.0 * f32(i) / f32(p.n_rot));
    let c = cos(theta);
    let s = sin(theta);
    let a = h * p.dim + select(2u * i, i, p.neox != 0u);
    let b = a + select(1u, half, p.neox != 0u);
    let x0 = v[a];
    let x1 = v[b];
    v[a] = x0 * c - x1 * s;
    v[b] = x0 * s + x1 * c;
}
