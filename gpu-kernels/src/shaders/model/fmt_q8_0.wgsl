// Q8_0: d (f16), qs[32] (i8); value = d * q.
const BLOCK_ELEMS: u32 = 32u;
const BLOCK_BYTES: u32 = 34u;

fn block_value(b: u32, e: u32) -> f32 {
    return f16_at(b) * f32(i8_at(b + 2u + e));
}
