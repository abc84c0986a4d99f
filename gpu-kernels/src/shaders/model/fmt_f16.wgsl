// F16: 1 element, 2 bytes.
const BLOCK_ELEMS: u32 = 1u;
const BLOCK_BYTES: u32 = 2u;

fn block_value(b: u32, e: u32) -> f32 {
    return f16_at(b);
}
