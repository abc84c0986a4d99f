// Dequantizes rows `first_row ..` of a quantized matrix into f32 (embedding lookup, and
// the bit-exact test of every format against the CPU). One invocation per element.

struct Params {
    row_elems: u32,   // elements per row (a multiple of BLOCK_ELEMS)
    row_bytes: u32,   // bytes per row
    first_row: u32,
    rows: u32,
    base: u32,        // byte offset of the tensor in `q`
    _p0: u32,
    _p1: u32,
    _p2: u32,
}

@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 256u;
    if i >= p.row_elems * p.rows {
        return;
    }
    let r = i / p.row_elems;
    let e = i % p.row_elems;
    let block = p.base + (p.first_row + r) * p.row_bytes + (e / BLOCK_ELEMS) * BLOCK_BYTES;
    out[i] = block_value(block, e % BLOCK_ELEMS);
}
