// Dispatch round-trip probe: one invocation adds 1 to a counter. A sample is the wall time
// from submitting this dispatch to reading the counter back on the CPU; the CPU checks that
// the counter equals the number of dispatches so far.

@group(0) @binding(0) var<storage, read_write> counter: array<u32>;

@compute @workgroup_size(1)
fn main() {
    counter[0] = counter[0] + 1u;
}
