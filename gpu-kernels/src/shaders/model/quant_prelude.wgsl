// Byte access into GGUF tensor data held as `array<u32>` (blocks are not word aligned:
// Q8_0 blocks are 34 bytes, Q6_K 210), and f16 from its bits. Composed in front of one
// format file (`fmt_*.wgsl`) and one kernel; `q` is the tensor's bytes.

fn byte_at(off: u32) -> u32 {
    return (q[off >> 2u] >> ((off & 3u) * 8u)) & 0xFFu;
}

fn i8_at(off: u32) -> i32 {
    return (i32(byte_at(off)) << 24u) >> 24u;
}

fn u16_at(off: u32) -> u32 {
    return byte_at(off) | (byte_at(off + 1u) << 8u);
}

fn u32_at(off: u32) -> u32 {
    return u16_at(off) | (u16_at(off + 2u) << 16u);
}

fn f16_at(off: u32) -> f32 {
    return unpack2x16float(u16_at(off)).x;
}

// K-quant 6-bit scale and min `j` (0..8) of the 12 bytes at `s`, as ggml's get_scale_min_k4.
fn scale_min_k4(s: u32, j: u32) -> vec2<f32> {
    if j < 4u {
        return vec2<f32>(f32(byte_at(s + j) & 63u), f32(byte_at(s + j + 4u) & 63u));
    }
    let d = (byte_at(s + j + 4u) & 0xFu) | ((byte_at(s + j - 4u) >> 6u) << 4u);
    let m = (byte_at(s + j + 4u) >> 4u) | ((byte_at(s + j) >> 6u) << 4u);
    return vec2<f32>(f32(d), f32(m));
}
