// Index of the largest of `n` values (the lowest index among equals): the token id of
// greedy decoding, so only 4 bytes come back per step. Two dispatches: stage 0 runs
// `groups` workgroups of 256, each taking every (256·groups)-th value from its own
// start and leaving its best (value bits, index) in out[1 + 2g], out[2 + 2g]; stage 1
// runs one workgroup over those and writes the index to out[0]. `out` holds
// 1 + 2·groups words.

struct Params {
    n: u32,
    stage: u32,
    groups: u32,
    _p2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

var<workgroup> best_v: array<f32, 256>;
var<workgroup> best_i: array<u32, 256>;

fn better(v: f32, i: u32, bv: f32, bi: u32) -> bool {
    return v > bv || (v == bv && i < bi);
}

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
    var bv = -3.4e38;
    var bi = 0xFFFFFFFFu;
    if p.stage == 0u {
        let stride = 256u * p.groups;
        for (var i = wid.x * 256u + lid; i < p.n; i += stride) {
            if better(x[i], i, bv, bi) {
                bv = x[i];
                bi = i;
            }
        }
    } else {
        for (var g = lid; g < p.groups; g += 256u) {
            let v = bitcast<f32>(out[1u + 2u * g]);
            let i = out[2u + 2u * g];
            if better(v, i, bv, bi) {
                bv = v;
                bi = i;
            }
        }
    }
    best_v[lid] = bv;
    best_i[lid] = bi;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if lid < s && better(best_v[lid + s], best_i[lid + s], best_v[lid], best_i[lid]) {
            best_v[lid] = best_v[lid + s];
            best_i[lid] = best_i[lid + s];
        }
        workgroupBarrier();
    }
    if lid == 0u {
        if p.stage == 0u {
            out[1u + 2u * wid.x] = bitcast<u32>(best_v[0]);
            out[2u + 2u * wid.x] = best_i[0];
        } else {
            out[0] = best_i[0];
        }
    }
}
