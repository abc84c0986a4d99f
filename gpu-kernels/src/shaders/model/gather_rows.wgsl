// Embedding lookup of a batch: out[i][e] = element e of row ids[i] − first_row, for the
// `count` ids that fall in this row chunk (`first_row` .. `first_row + rows`) of a
// quantized matrix split to fit storage bindings; other ids are left for the other chunks.
// One invocation per output element.

struct Params {
    row_elems: u32,
    row_bytes: u32,
    first_row: u32,
    rows: u32,
    base: u32,
    count: u32,
    _p0: u32,
    _p1: u32,
}

@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 256u;
    if i >= p.row_elems * p.count {
        return;
    }
    let slot = i / p.row_elems;
    let e = i % p.row_elems;
    let id = ids[slot];
    if id < p.first_row || id - p.first_row >= p.rows {
        return;
    }
    let block = p.base + (id - p.first_row) * p.row_bytes + (e / BLOCK_ELEMS) * BLOCK_BYTES;
    out[i] = block_value(block, e % BLOCK_ELEMS);
}
