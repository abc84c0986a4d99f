// The matrix–matrix kernel's weight loader for any format: 8 consecutive weights of a row
// from `block_value`, zero past the row's end. `tile_fetch` decodes at once;
// `tile_decode` hands the values on. `rb` is the row's first byte, `col` a multiple of 8.

struct Raw {
    v: array<f32, 8>,
}

fn tile_fetch(rb: u32, col: u32) -> Raw {
    var r: Raw;
    for (var j = 0u; j < 8u; j++) {
        let c = col + j;
        if c < p.row_elems {
            r.v[j] = block_value(rb + (c / BLOCK_ELEMS) * BLOCK_BYTES, c % BLOCK_ELEMS);
        }
    }
    return r;
}

fn tile_decode(r: Raw) -> array<f32, 8> {
    return r.v;
}
