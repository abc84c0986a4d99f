//! The keys and values of the positions seen so far, per layer, in f32.

use super::ModelConfig;

/// Cached keys (after RoPE) and values of every position processed, for every layer.
///
/// Row `pos` of layer `l` holds all key (value) heads of that position side by side:
/// `n_kv_heads × head_dim_k` (`× head_dim_v`) f32. Positions are appended in order by
/// [`super::Model::forward`]; the cache grows as needed.
#[derive(Debug, Clone, PartialEq)]
pub struct KvCache {
    keys: Vec<Vec<f32>>,
    values: Vec<Vec<f32>>,
    k_dim: usize,
    v_dim: usize,
    len: usize,
}

impl KvCache {
    /// An empty cache for a model of this configuration.
    pub fn new(config: &ModelConfig) -> KvCache {
        KvCache {
            keys: vec![Vec::new(); config.n_layers],
            values: vec![Vec::new(); config.n_layers],
            k_dim: config.k_dim(),
            v_dim: config.v_dim(),
            len: 0,
        }
    }

    /// Positions cached.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no position is cached.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every position (keeps the memory).
    pub fn clear(&mut self) {
        self.keys.iter_mut().chain(self.values.iter_mut()).for_each(Vec::clear);
        self.len = 0;
    }

    /// Whether the cache fits a model of this configuration.
    pub(super) fn fits(&self, config: &ModelConfig) -> bool {
        self.keys.len() == config.n_layers && self.k_dim == config.k_dim() && self.v_dim == config.v_dim()
    }

    /// Appends the key and value rows of position `len()` in layer `layer`.
    pub(super) fn push(&mut self, layer: usize, k: &[f32], v: &[f32]) {
        if let (Some(keys), Some(values)) = (self.keys.get_mut(layer), self.values.get_mut(layer)) {
            keys.extend_from_slice(k);
            values.extend_from_slice(v);
        }
    }

    /// Drops rows pushed for a position that did not complete.
    pub(super) fn discard_partial(&mut self) {
        let (len, k_dim, v_dim) = (self.len, self.k_dim, self.v_dim);
        self.keys.iter_mut().for_each(|k| k.truncate(len * k_dim));
        self.values.iter_mut().for_each(|v| v.truncate(len * v_dim));
    }

    /// Marks the position pushed to every layer as cached.
    pub(super) fn advance(&mut self) {
        self.len += 1;
    }

    /// Key row of position `pos` in layer `layer` (all KV heads).
    pub(super) fn key(&self, layer: usize, pos: usize) -> &[f32] {
        row(&self.keys, layer, pos, self.k_dim)
    }

    /// Value row of position `pos` in layer `layer` (all KV heads).
    pub(super) fn value(&self, layer: usize, pos: usize) -> &[f32] {
        row(&self.values, layer, pos, self.v_dim)
    }
}

fn row(rows: &[Vec<f32>], layer: usize, pos: usize, width: usize) -> &[f32] {
    rows.get(layer).and_then(|r| r.get(pos * width..(pos + 1) * width)).unwrap_or(&[])
}
