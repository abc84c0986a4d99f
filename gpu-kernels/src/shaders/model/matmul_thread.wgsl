// Y = X Wᵀ with one invocation per (weight row, group of 16 tokens) and no workgroup
// memory or barriers, for adapters that emulate the GPU on the CPU (lavapipe,
// SwiftShader): each invocation dequantizes its row one element at a time (`block_value`
// of the format) and multiplies it into 16 tokens' accumulators held in four vec4s, so
// each weight is decoded once per 16 tokens, and no private array is indexed at run time
// (which a CPU backend turns into memory traffic). Tokens past the last one repeat it and
// are not written; groups of four past it are skipped. Same parameters and layout as matmul.wgsl.

struct Params {
    row_elems: u32,
    row_bytes: u32,
    rows: u32,
    base: u32,
    add: u32,
    out_offset: u32,
    tokens: u32,
    y_stride: u32,
}

@group(0) @binding(0) var<storage, read> q: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

const GROUP: u32 = 16u;

fn x4(rows: vec4<u32>, col: u32) -> vec4<f32> {
    return vec4<f32>(x[rows.x + col], x[rows.y + col], x[rows.z + col], x[rows.w + col]);
}

fn store(t: u32, r: u32, value: f32) {
    if t < p.tokens {
        let o = t * p.y_stride + p.out_offset + r;
        y[o] = select(0.0, y[o], p.add != 0u) + value;
    }
}

@compute @workgroup_size(64)
fn main(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let row_groups = (p.rows + 63u) / 64u;
    let g = wid.x + wid.y * nwg.x;
    let r = (g % row_groups) * 64u + lid;
    let t0 = (g / row_groups) * GROUP;
    if r >= p.rows || t0 >= p.tokens {
        return;
    }
    // Row offsets in X of the 16 tokens, the last token standing in past the end.
    let last = p.tokens - 1u;
    let t = vec4<u32>(0u, 1u, 2u, 3u) + vec4<u32>(t0);
    let x0 = min(t, vec4<u32>(last)) * p.row_elems;
    let x1 = min(t + 4u, vec4<u32>(last)) * p.row_elems;
    let x2 = min(t + 8u, vec4<u32>(last)) * p.row_elems;
    let x3 = min(t + 12u, vec4<u32>(last)) * p.row_elems;
    let row = p.base + r * p.row_bytes;
    var a0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0);
    // Groups of four wholly past the last token are skipped (the same for the whole
    // dispatch but its last workgroups, so the branches cost little).
    let count = p.tokens - t0;
    for (var col = 0u; col < p.row_elems; col++) {
        let w = block_value(row + (col / BLOCK_ELEMS) * BLOCK_BYTES, col % BLOCK_ELEMS);
        a0 += w * x4(x0, col);
        if count > 4u {
            a1 += w * x4(x1, col);
        }
        if count > 8u {
            a2 += w * x4(x2, col);
        }
        if count > 12u {
            a3 += w * x4(x3, col);
        }
    }
    for (var i = 0u; i < 4u; i++) {
        store(t0 + i, r, a0[i]);
        store(t0 + 4u + i, r, a1[i]);
        store(t0 + 8u + i, r, a2[i]);
        store(t0 + 12u + i, r, a3[i]);
    }
}
