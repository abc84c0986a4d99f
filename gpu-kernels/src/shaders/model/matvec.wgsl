// y = W x for a quantized W (rows of `row_elems`, a multiple of 32), one workgroup of 64
// per output row: each invocation takes a strided share of the row's 32-element
// sub-blocks, decodes each one's scale once and dots its quants with x (`sub_dot` of the
// format), then the workgroup adds its 64 partial sums as a tree. `add` != 0 adds
// the result to y (residual connections). Rows land at y[out_offset + r], so a matrix
// split into row chunks (storage-binding limits) fills one output.

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

var<workgroup> partial: array<f32, 64>;

@compute @workgroup_size(64)
fn main(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let r = wid.x + wid.y * nwg.x;
    if r >= p.rows {
        return;
    }
    let row = p.base + r * p.row_bytes;
    var acc = 0.0;
    for (var s = lid; s < p.row_elems / 32u; s += 64u) {
        acc += sub_dot(row, s, s * 32u);
    }
    partial[lid] = acc;
    workgroupBarrier();
    for (var s = 32u; s > 0u; s >>= 1u) {
        if lid < s {
            partial[lid] += partial[lid + s];
        }
        workgroupBarrier();
    }
    if lid == 0u {
        let o = p.out_offset + r;
        y[o] = select(0.0, y[o], p.add != 0u) + partial[0];
    }
}
