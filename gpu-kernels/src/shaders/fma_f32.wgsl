// f32 FMA-throughput probe.
//
// Each invocation runs eight independent chains of `x = fma(x, a, b)` on `vec4<f32>` for
// `iterations` steps: operations counted are 8 chains x 4 lanes x 2 (multiply and add) per
// step. `a` and `b` come from a uniform (1.0 and 1.0 in practice), so nothing folds at
// compile time and every lane ends at its start value plus `iterations`, exactly. The
// invocation's total goes to its workgroup's slot with an atomic add; the CPU compares
// every slot with the exact value.

struct Params {
    a: f32,
    b: f32,
    iterations: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> totals: array<atomic<u32>>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(256)
fn main(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
) {
    let base = f32(lid % 64u);
    let lanes = vec4<f32>(0.0, 1.0, 2.0, 3.0) + vec4<f32>(base);
    var x0 = lanes;
    var x1 = lanes + vec4<f32>(4.0);
    var x2 = lanes + vec4<f32>(8.0);
    var x3 = lanes + vec4<f32>(12.0);
    var x4 = lanes + vec4<f32>(16.0);
    var x5 = lanes + vec4<f32>(20.0);
    var x6 = lanes + vec4<f32>(24.0);
    var x7 = lanes + vec4<f32>(28.0);
    let a = vec4<f32>(params.a);
    let b = vec4<f32>(params.b);
    for (var i = 0u; i < params.iterations; i++) {
        x0 = fma(x0, a, b);
        x1 = fma(x1, a, b);
        x2 = fma(x2, a, b);
        x3 = fma(x3, a, b);
        x4 = fma(x4, a, b);
        x5 = fma(x5, a, b);
        x6 = fma(x6, a, b);
        x7 = fma(x7, a, b);
    }
    let s = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
    atomicAdd(&totals[wid.x], u32(s.x + s.y + s.z + s.w));
}
