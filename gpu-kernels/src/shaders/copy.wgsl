// Copy-bandwidth probe.
//
// Each invocation copies `vec4<u32>` elements from `src` to `dst` with a grid stride.
// Bytes counted: 32 per element (16 read + 16 written). The CPU checks the copy by summing
// `dst` with the read probe and comparing with the closed form of `src`.

struct Params {
    count: u32,   // elements (vec4<u32>) to copy
    stride: u32,  // invocations in the dispatch
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read> src: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<u32>>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    var i = gid.x;
    loop {
        if i >= params.count {
            break;
        }
        dst[i] = src[i];
        i += params.stride;
    }
}
