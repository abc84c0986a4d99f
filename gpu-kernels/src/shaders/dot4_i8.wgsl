// Packed int8 dot-product probe (only where the WGSL language feature
// `packed_4x8_integer_dot_product` exists).
//
// Eight independent chains per invocation; each step is
// `x = x + dot4I8Packed(bitcast<u32>(x) ^ a, b)`, so the operand changes every step and
// cannot be hoisted. Operations counted: 8 per `dot4I8Packed` (four multiplies, four adds);
// the xor and the outer add are overhead, not counted. The CPU runs the same recurrence
// for every invocation of the checked dispatch and compares the workgroup totals.

struct Params {
    a: u32,
    b: u32,
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
    let base = i32(lid % 64u);
    var x0 = base;
    var x1 = base + 1;
    var x2 = base + 2;
    var x3 = base + 3;
    var x4 = base + 4;
    var x5 = base + 5;
    var x6 = base + 6;
    var x7 = base + 7;
    let a = params.a;
    let b = params.b;
    for (var i = 0u; i < params.iterations; i++) {
        x0 += dot4I8Packed(bitcast<u32>(x0) ^ a, b);
        x1 += dot4I8Packed(bitcast<u32>(x1) ^ a, b);
        x2 += dot4I8Packed(bitcast<u32>(x2) ^ a, b);
        x3 += dot4I8Packed(bitcast<u32>(x3) ^ a, b);
        x4 += dot4I8Packed(bitcast<u32>(x4) ^ a, b);
        x5 += dot4I8Packed(bitcast<u32>(x5) ^ a, b);
        x6 += dot4I8Packed(bitcast<u32>(x6) ^ a, b);
        x7 += dot4I8Packed(bitcast<u32>(x7) ^ a, b);
    }
    let s = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
    atomicAdd(&totals[wid.x], bitcast<u32>(s));
}
