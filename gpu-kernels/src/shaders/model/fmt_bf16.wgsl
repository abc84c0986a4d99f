// BF16: 1 element, 2 bytes; the high half of an f32.
const BLOCK_ELEMS: u32 = 1u;
const BLOCK_BYTES: u32 = 2u;

fn block_value(b: u32, e: u32) -> f32 {
    return bitcast<f32>(u16_at(b) << 16u);
}
