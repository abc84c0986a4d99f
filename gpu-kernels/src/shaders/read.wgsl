// Read-bandwidth probe.
//
// Each invocation loads `vec4<u32>` elements with a grid stride (four independent loads in
// flight per iteration) and adds them up; the wrapped sum of its four lanes goes to
// `partial[invocation]`, which the CPU adds up and compares with the closed form of the
// data, so no load can be dropped. Bytes counted: 16 per element read; the 4 bytes per
// invocation written to `partial` are not counted (under 0.1 % of the traffic).

struct Params {
    count: u32,   // elements (vec4<u32>) in the binding
    stride: u32,  // invocations in the dispatch
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read> src: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> partial: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let stride = params.stride;
    var a = vec4<u32>(0u);
    var b = vec4<u32>(0u);
    var c = vec4<u32>(0u);
    var d = vec4<u32>(0u);
    var i = gid.x;
    loop {
        if i + 3u * stride >= params.count {
            break;
        }
        a += src[i];
        b += src[i + stride];
        c += src[i + 2u * stride];
        d += src[i + 3u * stride];
        i += 4u * stride;
    }
    loop {
        if i >= params.count {
            break;
        }
        a += src[i];
        i += stride;
    }
    let s = a + b + c + d;
    partial[gid.x] = s.x + s.y + s.z + s.w;
}
