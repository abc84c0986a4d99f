enable f16;

// matmul.wgsl with the dequantized weight tile held in f16 (adapters with `shader-f16`):
// half the workgroup memory and half its loads for the weights; each weight is rounded
// to f16 (a relative error of at most 2^-11) and the products are summed in f32. As
// matmul.wgsl:
// Y = X Wᵀ for a quantized W (`rows` × `row_elems`) and `tokens` rows of X (f32,
// [token][row_elems]): the prompt's matrix products. One workgroup of 64 computes a tile
// of 32 weight rows × 32 tokens: per step of 32 columns it dequantizes the 32 × 32 weight
// tile (`block_value` of the format) and the 32 × 32 slice of X into workgroup memory
// once, then each invocation accumulates a 4 × 4 block of the tile from them, so each
// weight is decoded once per 32 tokens instead of once per token. Y[t][out_offset + r]
// with rows `y_stride` apart, so a matrix split into row chunks fills one output; `add`
// != 0 adds to Y.

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

const TILE: u32 = 32u;

// [k][row] and [k][token]: an invocation's 4 rows (or tokens) 8 apart share a bank run.
var<workgroup> w_tile: array<f16, 1024>;
var<workgroup> x_tile: array<f32, 1024>;

@compute @workgroup_size(64)
fn main(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
) {
    let row_tiles = (p.rows + TILE - 1u) / TILE;
    let g = wid.x + wid.y * nwg.x;
    if g >= row_tiles * ((p.tokens + TILE - 1u) / TILE) {
        return;
    }
    let r0 = (g % row_tiles) * TILE;
    let t0 = (g / row_tiles) * TILE;
    let a = lid % 8u;
    let b = lid / 8u;
    var acc: array<vec4<f32>, 4>;
    for (var k0 = 0u; k0 < p.row_elems; k0 += TILE) {
        for (var i = 0u; i < 16u; i++) {
            let e = lid + 64u * i;
            let r = e / TILE;
            let k = e % TILE;
            let col = k0 + k;
            var wv = 0.0;
            if r0 + r < p.rows && col < p.row_elems {
                let block = p.base + (r0 + r) * p.row_bytes + (col / BLOCK_ELEMS) * BLOCK_BYTES;
                wv = block_value(block, col % BLOCK_ELEMS);
            }
            w_tile[k * TILE + r] = f16(wv);
            var xv = 0.0;
            if t0 + r < p.tokens && col < p.row_elems {
                xv = x[(t0 + r) * p.row_elems + col];
            }
            x_tile[k * TILE + r] = xv;
        }
        workgroupBarrier();
        for (var k = 0u; k < TILE; k++) {
            let wr = vec4<f32>(vec4<f16>(
                w_tile[k * TILE + a],
                w_tile[k * TILE + a + 8u],
                w_tile[k * TILE + a + 16u],
                w_tile[k * TILE + a + 24u],
            ));
            for (var j = 0u; j < 4u; j++) {
                acc[j] += wr * x_tile[k * TILE + b + 8u * j];
            }
        }
        workgroupBarrier();
    }
    for (var j = 0u; j < 4u; j++) {
        let t = t0 + b + 8u * j;
        if t >= p.tokens {
            continue;
        }
        for (var i = 0u; i < 4u; i++) {
            let r = r0 + a + 8u * i;
            if r < p.rows {
                let o = t * p.y_stride + p.out_offset + r;
                y[o] = select(0.0, y[o], p.add != 0u) + acc[j][i];
            }
        }
    }
}
