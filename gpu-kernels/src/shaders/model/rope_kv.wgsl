// RoPE on a chunk's queries and keys and their keys and values stored in the cache, in
// one dispatch (rope.wgsl twice and two copies otherwise): for `tokens` rows at positions
// `pos` + t, the queries ([token][head][dim]) are rotated in place, and the keys
// (rotated) and values go to row pos + t of the caches ([position][kv head][dim]). The
// rotation is rope.wgsl's: pair i < n_rot/2 turns by (pos + t)·freq_scale·base^(−2i/n_rot),
// pairing (2i, 2i+1), or (i, i + n_rot/2) when `neox` (the top bit of `rot`). One
// invocation per query pair, per key element and per value element.

struct Params {
    heads: u32,
    kv_heads: u32,
    dim: u32,
    pos: u32,
    // n_rot, with the NeoX flag in bit 31.
    rot: u32,
    base: f32,
    freq_scale: f32,
    tokens: u32,
}

@group(0) @binding(0) var<storage, read_write> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> k_cache: array<f32>;
@group(0) @binding(4) var<storage, read_write> v_cache: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

// cos and sin of pair i's angle at position `at`.
fn turn(at: u32, i: u32, n_rot: u32) -> vec2<f32> {
    let theta = f32(at) * p.freq_scale * pow(p.base, -2.0 * f32(i) / f32(n_rot));
    return vec2<f32>(cos(theta), sin(theta));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let n_rot = p.rot & 0x7FFFFFFFu;
    let neox = (p.rot >> 31u) != 0u;
    let half = n_rot / 2u;
    let kv_row = p.kv_heads * p.dim;
    let q_items = p.tokens * p.heads * half;
    let kv_items = p.tokens * kv_row;
    var idx = gid.x + gid.y * nwg.x * 64u;
    if idx < q_items {
        // A query pair, in place.
        let h = idx / half;
        let i = idx % half;
        let cs = turn(p.pos + h / p.heads, i, n_rot);
        let a = h * p.dim + select(2u * i, i, neox);
        let b = a + select(1u, half, neox);
        let x0 = q[a];
        let x1 = q[b];
        q[a] = x0 * cs.x - x1 * cs.y;
        q[b] = x0 * cs.y + x1 * cs.x;
        return;
    }
    idx -= q_items;
    if idx < kv_items {
        // A key element: rotated with its partner when in the first n_rot, then stored.
        let t = idx / kv_row;
        let e = idx % p.dim;
        var value = k[idx];
        if e < n_rot {
            var i = e / 2u;
            var second = (e & 1u) == 1u;
            if neox {
                i = e % half;
                second = e >= half;
            }
            let head = idx - e;
            let a = head + select(2u * i, i, neox);
            let b = a + select(1u, half, neox);
            let cs = turn(p.pos + t, i, n_rot);
            value = select(k[a] * cs.x - k[b] * cs.y, k[a] * cs.y + k[b] * cs.x, second);
        }
        k_cache[p.pos * kv_row + idx] = value;
        return;
    }
    idx -= kv_items;
    if idx < kv_items {
        v_cache[p.pos * kv_row + idx] = v[idx];
    }
}
