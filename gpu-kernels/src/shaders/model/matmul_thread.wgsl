// Y = X Wᵀ with one invocation per (two weight rows, group of 16 tokens) and no
// workgroup memory or barriers, for adapters that emulate the GPU on the CPU (lavapipe,
// SwiftShader). Each invocation dequantizes its rows r and r + 64 one element at a time
// (`block_value` of the format) and multiplies them into 16 tokens' accumulators held in
// vec4s: each weight is decoded once per 16 tokens and each load of X (a gather across
// the lanes there) serves two rows; no private array is indexed at run time (which a CPU
// backend turns into memory traffic). Tokens past the last one repeat it and are not
// written; groups of four past it are skipped. Same parameters and layout as matmul.wgsl.

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
    let row_groups = (p.rows + 127u) / 128u;
    let g = wid.x + wid.y * nwg.x;
    let r = (g % row_groups) * 128u + lid;
    let t0 = (g / row_groups) * GROUP;
    if r >= p.rows || t0 >= p.tokens {
        return;
    }
    // The second row, 64 further on, repeats the first past the end and is not written.
    let r2 = select(r, r + 64u, r + 64u < p.rows);
    // Row offsets in X of the 16 tokens, the last token standing in past the end.
    let last = p.tokens - 1u;
    let t = vec4<u32>(0u, 1u, 2u, 3u) + vec4<u32>(t0);
    let x0 = min(t, vec4<u32>(last)) * p.row_elems;
    let x1 = min(t + 4u, vec4<u32>(last)) * p.row_elems;
    let x2 = min(t + 8u, vec4<u32>(last)) * p.row_elems;
    let x3 = min(t + 12u, vec4<u32>(last)) * p.row_elems;
    let row = p.base + r * p.row_bytes;
    let row2 = p.base + r2 * p.row_bytes;
    var a0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0);
    var b0 = vec4<f32>(0.0);
    var b1 = vec4<f32>(0.0);
    var b2 = vec4<f32>(0.0);
    var b3 = vec4<f32>(0.0);
    // Groups of four wholly past the last token are skipped (the same for the whole
    // dispatch but its last workgroups, so the branches cost little).
    let count = p.tokens - t0;
    for (var col = 0u; col < p.row_elems; col++) {
        let off = (col / BLOCK_ELEMS) * BLOCK_BYTES;
        let w = block_value(row + off, col % BLOCK_ELEMS);
        let v = block_value(row2 + off, col % BLOCK_ELEMS);
        let xa = x4(x0, col);
        a0 += w * xa;
        b0 += v * xa;
        if count > 4u {
            let xb = x4(x1, col);
            a1 += w * xb;
            b1 += v * xb;
        }
        if count > 8u {
            let xc = x4(x2, col);
            a2 += w * xc;
            b2 += v * xc;
        }
        if count > 12u {
            let xd = x4(x3, col);
            a3 += w * xd;
            b3 += v * xd;
        }
    }
    let second = r2 != r;
    for (var i = 0u; i < 4u; i++) {
        store(t0 + i, r, a0[i]);
        store(t0 + 4u + i, r, a1[i]);
        store(t0 + 8u + i, r, a2[i]);
        store(t0 + 12u + i, r, a3[i]);
        if second {
            store(t0 + i, r2, b0[i]);
            store(t0 + 4u + i, r2, b1[i]);
            store(t0 + 8u + i, r2, b2[i]);
            store(t0 + 12u + i, r2, b3[i]);
        }
    }
}
