// F32: 1 element, 4 bytes.
const BLOCK_ELEMS: u32 = 1u;
const BLOCK_BYTES: u32 = 4u;

fn block_value(b: u32, e: u32) -> f32 {
    return bitcast<f32>(u32_at(b));
}
