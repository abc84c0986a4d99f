// Y = X Wᵀ with one invocation per (weight row, group of 16 tokens) and no workgroup
// memory or barriers, for adapters that emulate the GPU on the CPU (lavapipe,
// SwiftShader): each invocation dequantizes its row 32 columns at a time into registers
// (`block_value` of the format) and dots them with up to 16 rows of X, so each weight is
// decoded once per 16 tokens. Same parameters and layout as matmul.wgsl.

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

const GROUP: u32 = 16u;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let row_groups = (p.rows + 63u) / 64u;
    let g = wid.x + wid.y * nwg.x;
    let r = (g % row_groups) * 64u + lid;
    let t0 = (g / row_groups) * GROUP;
    if r >= p.rows || t0 >= p.tokens {
        return;
    }
    let n = min(GROUP, p.tokens - t0);
    let row = p.base + r * p.row_bytes;
    var acc: array<f32, 16>;
    var w: array<f32, 32>;
    for (var k0 = 0u; k0 < p.row_elems; k0 += 32u) {
        let len = min(32u, p.row_elems - k0);
        for (var k = 0u; k < len; k++) {
            let col = k0 + k;
            w[k] = block_value(row + (col / BLOCK_ELEMS) * BLOCK_BYTES, col % BLOCK_ELEMS);
        }
        for (var j = 0u; j < n; j++) {
            let xo = (t0 + j) * p.row_elems + k0;
            var dot = 0.0;
            for (var k = 0u; k < len; k++) {
                dot += w[k] * x[xo + k];
            }
            acc[j] += dot;
        }
    }
    for (var j = 0u; j < n; j++) {
        let o = (t0 + j) * p.y_stride + p.out_offset + r;
        y[o] = select(0.0, y[o], p.add != 0u) + acc[j];
    }
}
