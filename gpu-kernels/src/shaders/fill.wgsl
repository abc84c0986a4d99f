// Write-bandwidth probe and the generator of every probe's data.
//
// Word `w` of the binding (counted in u32 from its start) becomes `w * 0x9E3779B1 + seed`,
// so the sum of a binding has a closed form the CPU checks. Each invocation stores whole
// `vec4<u32>` words with a grid stride; bytes counted: 16 per element written.

struct Params {
    count: u32,   // elements (vec4<u32>) in the binding
    stride: u32,  // invocations in the dispatch
    seed: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> dst: array<vec4<u32>>;
@group(0) @binding(1) var<uniform> params: Params;

const GOLDEN: u32 = 0x9E3779B1u;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    var i = gid.x;
    loop {
        if i >= params.count {
            break;
        }
        let w = i * 4u;
        dst[i] = vec4<u32>(w, w + 1u, w + 2u, w + 3u) * GOLDEN + vec4<u32>(params.seed);
        i += params.stride;
    }
}
