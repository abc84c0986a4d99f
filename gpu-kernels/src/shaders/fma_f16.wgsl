// f16 FMA-throughput probe (only where the adapter has `shader-f16`).
//
// As `fma_f32.wgsl`, on `vec4<f16>`: 8 chains x 4 lanes x 2 operations per step. Lanes
// start below 96 and `iterations` stays at or under 1024, so every value stays an exact
// integer in f16; the lanes are summed in f32.

enable f16;

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
    let base = f16(lid % 64u);
    let lanes = vec4<f16>(0.0h, 1.0h, 2.0h, 3.0h) + vec4<f16>(base);
    var x0 = lanes;
    var x1 = lanes + vec4<f16>(4.0h);
    var x2 = lanes + vec4<f16>(8.0h);
    var x3 = lanes + vec4<f16>(12.0h);
    var x4 = lanes + vec4<f16>(16.0h);
    var x5 = lanes + vec4<f16>(20.0h);
    var x6 = lanes + vec4<f16>(24.0h);
    var x7 = lanes + vec4<f16>(28.0h);
    let a = vec4<f16>(f16(params.a));
    let b = vec4<f16>(f16(params.b));
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
    let s = vec4<f32>(x0) + vec4<f32>(x1) + vec4<f32>(x2) + vec4<f32>(x3)
        + vec4<f32>(x4) + vec4<f32>(x5) + vec4<f32>(x6) + vec4<f32>(x7);
    atomicAdd(&totals[wid.x], u32(s.x + s.y + s.z + s.w));
}
