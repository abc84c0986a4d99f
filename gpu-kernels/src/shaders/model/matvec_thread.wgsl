// y = W x with one invocation per output row: no shared memory and no barriers, for
// adapters that emulate the GPU on the CPU (lavapipe, SwiftShader), where a
// barrier costs more than the arithmetic of a short row. Same parameters as matvec.wgsl.

struct Params {
    row_elems: u32,
    row_bytes: u32,
    rows: u32,
    base: u32,
    add: u32,
    out_offset: u32,
    _p1: u32,
    _p2: u32,
}

@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let r = gid.x + gid.y * nwg.x * 64u;
    if r >= p.rows {
        return;
    }
    let row = p.base + r * p.row_bytes;
    var acc = 0.0;
    for (var s = 0u; s < p.row_elems / 32u; s++) {
        acc += sub_dot(row, s, s * 32u);
    }
    let o = p.out_offset + r;
    y[o] = select(0.0, y[o], p.add != 0u) + acc;
}
