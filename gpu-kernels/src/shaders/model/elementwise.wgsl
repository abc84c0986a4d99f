// Element-wise steps of a transformer block, chosen by `op`:
//   0: y = a + b (residual)            1: y = a × s (embedding scale)
//   2: y = silu(a) × b (SwiGLU)        3: y = gelu(a) × b (GeGLU, tanh approximation)
//   4: y[offset + i] = a[i] (store rows into the KV cache)
//   5: y = a + b[i % b_len] (a bias added to each of several rows)

struct Params {
    n: u32,
    op: u32,
    s: f32,
    offset: u32,
    b_len: u32,
    _p0: u32,
    _p1: u32,
    _p2: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

const SQRT_2_OVER_PI: f32 = 0.7978845608028654;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 256u;
    if i >= p.n {
        return;
    }
    let x = a[i];
    switch p.op {
        case 0u: { y[i] = x + b[i]; }
        case 1u: { y[i] = x * p.s; }
        case 2u: { y[i] = x / (1.0 + exp(-x)) * b[i]; }
        // tanh is 1 in f32 beyond ±10; clamping keeps implementations that compute it from
        // exp(2u) (SwiftShader through Dawn) from returning inf / inf = NaN for large inputs.
        case 3u: { y[i] = 0.5 * x * (1.0 + tanh(clamp(SQRT_2_OVER_PI * x * (1.0 + 0.044715 * x * x), -10.0, 10.0))) * b[i]; }
        case 4u: { y[p.offset + i] = x; }
        default: { y[i] = x + b[i % p.b_len]; }
    }
}
