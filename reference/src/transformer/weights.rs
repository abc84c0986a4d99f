//! A model's tensors, read through a [`TensorSource`] and kept as stored in the file.

use super::{ModelConfig, TransformerError};
use roofline_gguf::dequant::{self, block_layout};
use roofline_gguf::Header;

/// Byte ranges of a model file, however the caller reads them (a file, memory, a browser
/// `File` read in slices). Keeps the core crate free of I/O.
pub trait TensorSource {
    /// The `len` bytes at absolute file `offset` (from the start of the file, not of the
    /// data section); fewer bytes or an error when the file ends before.
    fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError>;
}

/// Why a [`TensorSource`] could not read a range, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SourceError {
    /// What went wrong.
    pub message: String,
}

/// A whole file in memory.
impl TensorSource for Vec<u8> {
    fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        self.as_slice().read(offset, len)
    }
}

/// A whole file in memory.
impl TensorSource for &[u8] {
    fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        let start = usize::try_from(offset).ok().filter(|&s| s <= self.len());
        let range = start.and_then(|s| Some(s..s.checked_add(len)?)).and_then(|r| self.get(r));
        range.map(<[u8]>::to_vec).ok_or_else(|| SourceError {
            message: format!(
                "bytes {offset}..{} are past the end of the {}-byte file",
                offset.saturating_add(len as u64),
                self.len()
            ),
        })
    }
}

/// One tensor's data as stored in the file: rows of `cols` elements of ggml type
/// `ggml_type` (ggml's `ne[0]` is the row length, `ne[1]` the row count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QTensor {
    /// Tensor name.
    pub name: String,
    /// ggml type id.
    pub ggml_type: u32,
    /// Elements per row (`ne[0]`).
    pub cols: usize,
    /// Rows (the product of the other dimensions).
    pub rows: usize,
    /// The raw bytes, `rows` × the bytes of one row.
    pub data: Vec<u8>,
}

impl QTensor {
    /// Dequantizes row `row` into `out`, whose length must be `cols`.
    pub fn row_into(&self, row: usize, out: &mut [f32]) -> Result<(), TransformerError> {
        dequant::dequantize_row(self.ggml_type, &self.data, row, out)
            .map_err(|source| TransformerError::Dequant { name: self.name.clone(), source })
    }

    /// The whole tensor as f32, row after row.
    pub fn dequantize(&self) -> Result<Vec<f32>, TransformerError> {
        dequant::dequantize(self.ggml_type, &self.data, self.cols * self.rows)
            .map_err(|source| TransformerError::Dequant { name: self.name.clone(), source })
    }

    /// `out = W · x`: `out[r]` is row `r` dequantized into `scratch` dotted with `x`
    /// ([`super::ops::dot`]). `x` holds `cols` values, `out` `rows`, `scratch` at least
    /// `cols`; other lengths are a [`TransformerError::BadShape`] error.
    pub fn matvec(&self, x: &[f32], out: &mut [f32], scratch: &mut [f32]) -> Result<(), TransformerError> {
        let row = scratch.get_mut(..self.cols).filter(|_| x.len() == self.cols && out.len() == self.rows);
        let row = row.ok_or_else(|| TransformerError::BadShape {
            name: format!("{} · x", self.name),
            expected: vec![self.cols as u64, self.rows as u64],
            found: vec![x.len() as u64, out.len() as u64],
        })?;
        for (r, y) in out.iter_mut().enumerate() {
            self.row_into(r, row)?;
            *y = super::ops::dot(row, x);
        }
        Ok(())
    }
}

/// The tensors of one transformer block. Norm weights and biases are dequantized; Gemma's
/// norm weights are used as stored (llama.cpp's converter already stored `1 + w`).
#[derive(Debug, Clone, PartialEq)]
pub struct LayerWeights {
    /// `attn_norm`, before attention.
    pub attn_norm: Vec<f32>,
    /// Query projection, `[hidden] → [n_heads × head_dim_k]`.
    pub wq: QTensor,
    /// Key projection, `[hidden] → [n_kv_heads × head_dim_k]`.
    pub wk: QTensor,
    /// Value projection, `[hidden] → [n_kv_heads × head_dim_v]`.
    pub wv: QTensor,
    /// Output projection, `[n_heads × head_dim_v] → [hidden]`.
    pub wo: QTensor,
    /// Query bias (Qwen2).
    pub bq: Option<Vec<f32>>,
    /// Key bias (Qwen2).
    pub bk: Option<Vec<f32>>,
    /// Value bias (Qwen2).
    pub bv: Option<Vec<f32>>,
    /// Output-projection bias.
    pub bo: Option<Vec<f32>>,
    /// Per-head query RMSNorm weight, `head_dim_k` (Qwen3, Gemma 3).
    pub q_norm: Option<Vec<f32>>,
    /// Per-head key RMSNorm weight, `head_dim_k` (Qwen3, Gemma 3).
    pub k_norm: Option<Vec<f32>>,
    /// Norm of the attention output before the residual add (Gemma).
    pub post_attn_norm: Option<Vec<f32>>,
    /// `ffn_norm`, before the feed-forward network.
    pub ffn_norm: Vec<f32>,
    /// Gate projection, `[hidden] → [ffn]`.
    pub gate: QTensor,
    /// Up projection, `[hidden] → [ffn]`.
    pub up: QTensor,
    /// Down projection, `[ffn] → [hidden]`.
    pub down: QTensor,
    /// Norm of the feed-forward output before the residual add (Gemma).
    pub post_ffw_norm: Option<Vec<f32>>,
    /// Gate, up and down biases, where the file has them (llama.cpp reads them for llama).
    pub ffn_biases: FfnBiases,
}

/// Optional biases of the feed-forward projections.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FfnBiases {
    /// Added to the gate projection, `ffn`.
    pub gate: Option<Vec<f32>>,
    /// Added to the up projection, `ffn`.
    pub up: Option<Vec<f32>>,
    /// Added to the down projection, `hidden`.
    pub down: Option<Vec<f32>>,
}

/// All tensors of a model with the configuration they were checked against.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// The configuration the shapes were checked against.
    pub config: ModelConfig,
    /// Token embedding, `vocab` rows of `hidden`.
    pub token_embd: QTensor,
    /// Output projection, `vocab` rows of `hidden`; `None` when tied to `token_embd`.
    pub output: Option<QTensor>,
    /// Final norm weight.
    pub output_norm: Vec<f32>,
    /// RoPE frequency divisors, `rope_dims / 2` (Llama 3.1+ `rope_freqs.weight`).
    pub rope_freqs: Option<Vec<f32>>,
    /// The blocks, first to last.
    pub layers: Vec<LayerWeights>,
}

/// Reads tensors by name and records which were used.
struct Loader<'a> {
    h: &'a Header,
    source: &'a dyn TensorSource,
    used: Vec<bool>,
}

impl Loader<'_> {
    fn tensor(&mut self, name: &str, expected: &[usize]) -> Result<QTensor, TransformerError> {
        let index = self.h.tensors.iter().position(|t| t.name == name);
        let index = index.ok_or_else(|| TransformerError::MissingTensor { name: name.to_owned() })?;
        let info = &self.h.tensors[index];
        let expected_dims: Vec<u64> = expected.iter().map(|&d| d as u64).collect();
        if info.dims != expected_dims {
            return Err(TransformerError::BadShape {
                name: name.to_owned(),
                expected: expected_dims,
                found: info.dims.clone(),
            });
        }
        let ggml_type = info.ggml_type;
        if block_layout(ggml_type).is_none() {
            return Err(TransformerError::UnsupportedTensorType { name: name.to_owned(), ggml_type });
        }
        let cols = expected.first().copied().unwrap_or(1);
        let rows = expected.iter().skip(1).product::<usize>();
        let dequant_error = |source| TransformerError::Dequant { name: name.to_owned(), source };
        let row_bytes = dequant::data_bytes(ggml_type, cols).map_err(dequant_error)?;
        let len = row_bytes.checked_mul(rows).ok_or_else(|| TransformerError::BadShape {
            name: name.to_owned(),
            expected: expected_dims.clone(),
            found: info.dims.clone(),
        })?;
        let offset = self.h.data_start.saturating_add(info.offset);
        let read_error =
            |message: String| TransformerError::Read { name: name.to_owned(), offset, len_bytes: len as u64, message };
        let data = self.source.read(offset, len).map_err(|e| read_error(e.message))?;
        if data.len() != len {
            return Err(read_error(format!("the source returned {} bytes", data.len())));
        }
        self.used[index] = true;
        Ok(QTensor { name: name.to_owned(), ggml_type, cols, rows, data })
    }

    fn vector(&mut self, name: &str, len: usize) -> Result<Vec<f32>, TransformerError> {
        self.tensor(name, &[len])?.dequantize()
    }

    /// Fails on the first tensor `mine` claims that was not read.
    fn check_used(&self, mine: impl Fn(&str) -> bool, c: &ModelConfig) -> Result<(), TransformerError> {
        match self.h.tensors.iter().zip(&self.used).find(|(t, &used)| !used && mine(&t.name)) {
            Some((t, _)) => {
                Err(TransformerError::UnusedTensor { name: t.name.clone(), architecture: c.architecture.name() })
            }
            None => Ok(()),
        }
    }

    fn optional_vector(&mut self, name: &str, len: usize) -> Result<Option<Vec<f32>>, TransformerError> {
        match self.h.tensor(name) {
            Some(_) => self.vector(name, len).map(Some),
            None => Ok(None),
        }
    }
}

/// A part of a model's tensors that is read and uploaded together: everything outside the
/// blocks, or one block. Loading part by part keeps only one part in memory at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Embedding, output projection, final norm, RoPE factors.
    Globals,
    /// Block `i` (`blk.{i}.*`).
    Layer(usize),
}

impl Part {
    fn contains(self, name: &str) -> bool {
        let block = name.strip_prefix("blk.").and_then(|rest| rest.split('.').next()?.parse::<usize>().ok());
        match (self, block) {
            (Part::Globals, None) => true,
            (Part::Layer(i), Some(b)) => i == b,
            _ => false,
        }
    }
}

/// Byte ranges already read, answering [`TensorSource`] reads that fall inside one of them
/// (the browser reads a part's ranges asynchronously, then loads the part from them).
#[derive(Debug, Clone, Default)]
pub struct Prefetched {
    pieces: Vec<(u64, Vec<u8>)>,
}

impl Prefetched {
    /// Adds the bytes read at absolute file `offset`.
    pub fn insert(&mut self, offset: u64, bytes: Vec<u8>) {
        self.pieces.push((offset, bytes));
    }
}

impl TensorSource for Prefetched {
    fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        let end = offset.saturating_add(len as u64);
        self.pieces
            .iter()
            .find(|(start, bytes)| *start <= offset && end <= start.saturating_add(bytes.len() as u64))
            .and_then(|(start, bytes)| bytes.get((offset - start) as usize..(end - start) as usize))
            .map(<[u8]>::to_vec)
            .ok_or_else(|| SourceError { message: format!("bytes {offset}..{end} were not read beforehand") })
    }
}

impl Weights {
    /// Reads every tensor the configuration read from `header` needs, checking shapes and
    /// types; norms and biases are dequantized, matrices kept as stored. Fails on a tensor
    /// in the directory that the forward pass would not use (a bias or norm this module
    /// does not know would otherwise be silently ignored).
    pub fn load(header: &Header, source: &dyn TensorSource) -> Result<Weights, TransformerError> {
        let mut weights = Weights::load_globals(header, source)?;
        for i in 0..weights.config.n_layers {
            let layer = Weights::load_layer(header, source, &weights.config, i)?;
            weights.layers.push(layer);
        }
        Ok(weights)
    }

    /// The absolute byte ranges `(offset, len)` of the tensors in `part`, in directory
    /// order; what a caller reading asynchronously fetches before [`Weights::load_globals`]
    /// or [`Weights::load_layer`] (tensors of unknown type are left out: loading them fails).
    pub fn ranges(header: &Header, part: Part) -> Vec<(u64, u64)> {
        header
            .tensors
            .iter()
            .filter(|t| part.contains(&t.name))
            .filter_map(|t| Some((header.data_start.saturating_add(t.offset), t.size_bytes()?)))
            .collect()
    }

    /// Everything but the blocks (`layers` left empty), after checking that the file has
    /// no tensor outside the blocks the forward pass would not use, and no block beyond
    /// the configuration's layer count.
    pub fn load_globals(header: &Header, source: &dyn TensorSource) -> Result<Weights, TransformerError> {
        let config = ModelConfig::from_gguf(header)?;
        let c = &config;
        let mut l = Loader { h: header, source, used: vec![false; header.tensors.len()] };
        let token_embd = l.tensor("token_embd.weight", &[c.hidden, c.vocab])?;
        let output = if c.tied_output { None } else { Some(l.tensor("output.weight", &[c.hidden, c.vocab])?) };
        let output_norm = l.vector("output_norm.weight", c.hidden)?;
        let rope_freqs = l.optional_vector("rope_freqs.weight", c.rope_dims / 2)?;
        let in_blocks = |name: &str| (0..c.n_layers).any(|i| Part::Layer(i).contains(name));
        l.check_used(|name| !in_blocks(name), c)?;
        // Room for the blocks the directory can hold (each has tensors in it), not for
        // the count the metadata claims: a claim of millions would reserve gigabytes.
        let layers = Vec::with_capacity(c.n_layers.min(header.tensors.len()));
        Ok(Weights { config, token_embd, output, output_norm, rope_freqs, layers })
    }

    /// Block `i` of a model whose configuration [`Weights::load_globals`] read, after
    /// checking that the block has no tensor the forward pass would not use.
    pub fn load_layer(
        header: &Header,
        source: &dyn TensorSource,
        c: &ModelConfig,
        i: usize,
    ) -> Result<LayerWeights, TransformerError> {
        let mut l = Loader { h: header, source, used: vec![false; header.tensors.len()] };
        let n = |suffix: &str| format!("blk.{i}.{suffix}");
        let required = |l: &mut Loader<'_>, suffix: &str, len: usize, wanted: bool| {
            if wanted {
                l.vector(&n(suffix), len).map(Some)
            } else {
                Ok(None)
            }
        };
        let layer = LayerWeights {
            attn_norm: l.vector(&n("attn_norm.weight"), c.hidden)?,
            wq: l.tensor(&n("attn_q.weight"), &[c.hidden, c.q_dim()])?,
            wk: l.tensor(&n("attn_k.weight"), &[c.hidden, c.k_dim()])?,
            wv: l.tensor(&n("attn_v.weight"), &[c.hidden, c.v_dim()])?,
            wo: l.tensor(&n("attn_output.weight"), &[c.n_heads * c.head_dim_v, c.hidden])?,
            bq: l.optional_vector(&n("attn_q.bias"), c.q_dim())?,
            bk: l.optional_vector(&n("attn_k.bias"), c.k_dim())?,
            bv: l.optional_vector(&n("attn_v.bias"), c.v_dim())?,
            bo: l.optional_vector(&n("attn_output.bias"), c.hidden)?,
            q_norm: required(&mut l, "attn_q_norm.weight", c.head_dim_k, c.qk_norm)?,
            k_norm: required(&mut l, "attn_k_norm.weight", c.head_dim_k, c.qk_norm)?,
            post_attn_norm: required(&mut l, "post_attention_norm.weight", c.hidden, c.post_norms)?,
            ffn_norm: l.vector(&n("ffn_norm.weight"), c.hidden)?,
            gate: l.tensor(&n("ffn_gate.weight"), &[c.hidden, c.ffn])?,
            up: l.tensor(&n("ffn_up.weight"), &[c.hidden, c.ffn])?,
            down: l.tensor(&n("ffn_down.weight"), &[c.ffn, c.hidden])?,
            post_ffw_norm: required(&mut l, "post_ffw_norm.weight", c.hidden, c.post_norms)?,
            ffn_biases: FfnBiases {
                gate: l.optional_vector(&n("ffn_gate.bias"), c.ffn)?,
                up: l.optional_vector(&n("ffn_up.bias"), c.ffn)?,
                down: l.optional_vector(&n("ffn_down.bias"), c.hidden)?,
            },
        };
        l.check_used(|name| Part::Layer(i).contains(name), c)?;
        Ok(layer)
    }

    /// The output projection: `output.weight`, or the token embedding when tied.
    pub fn output(&self) -> &QTensor {
        self.output.as_ref().unwrap_or(&self.token_embd)
    }

    /// Checks every shape against the configuration (what [`Weights::load`] guarantees; for
    /// weights assembled by hand).
    pub fn check(&self) -> Result<(), TransformerError> {
        let c = &self.config;
        let matrix = |t: &QTensor, cols: usize, rows: usize| {
            let bytes = dequant::data_bytes(t.ggml_type, cols).ok().and_then(|b| b.checked_mul(rows));
            if t.cols == cols && t.rows == rows && bytes == Some(t.data.len()) {
                Ok(())
            } else {
                let found = vec![t.cols as u64, t.rows as u64];
                Err(TransformerError::BadShape {
                    name: t.name.clone(),
                    expected: vec![cols as u64, rows as u64],
                    found,
                })
            }
        };
        let vector = |name: &str, v: Option<&Vec<f32>>, len: usize, wanted: bool| match v {
            Some(v) if v.len() != len => Err(TransformerError::BadShape {
                name: name.to_owned(),
                expected: vec![len as u64],
                found: vec![v.len() as u64],
            }),
            None if wanted => Err(TransformerError::MissingTensor { name: name.to_owned() }),
            _ => Ok(()),
        };
        matrix(&self.token_embd, c.hidden, c.vocab)?;
        if let Some(output) = &self.output {
            matrix(output, c.hidden, c.vocab)?;
        }
        vector("output_norm.weight", Some(&self.output_norm), c.hidden, true)?;
        vector("rope_freqs.weight", self.rope_freqs.as_ref(), c.rope_dims / 2, false)?;
        if self.layers.len() != c.n_layers || c.sliding_layers.len() != c.n_layers {
            return Err(TransformerError::BadShape {
                name: "blk.*".to_owned(),
                expected: vec![c.n_layers as u64],
                found: vec![self.layers.len() as u64],
            });
        }
        for (i, w) in self.layers.iter().enumerate() {
            let n = |suffix: &str| format!("blk.{i}.{suffix}");
            matrix(&w.wq, c.hidden, c.q_dim())?;
            matrix(&w.wk, c.hidden, c.k_dim())?;
            matrix(&w.wv, c.hidden, c.v_dim())?;
            matrix(&w.wo, c.n_heads * c.head_dim_v, c.hidden)?;
            matrix(&w.gate, c.hidden, c.ffn)?;
            matrix(&w.up, c.hidden, c.ffn)?;
            matrix(&w.down, c.ffn, c.hidden)?;
            vector(&n("attn_norm.weight"), Some(&w.attn_norm), c.hidden, true)?;
            vector(&n("ffn_norm.weight"), Some(&w.ffn_norm), c.hidden, true)?;
            vector(&n("attn_q.bias"), w.bq.as_ref(), c.q_dim(), false)?;
            vector(&n("attn_k.bias"), w.bk.as_ref(), c.k_dim(), false)?;
            vector(&n("attn_v.bias"), w.bv.as_ref(), c.v_dim(), false)?;
            vector(&n("attn_output.bias"), w.bo.as_ref(), c.hidden, false)?;
            vector(&n("attn_q_norm.weight"), w.q_norm.as_ref(), c.head_dim_k, c.qk_norm)?;
            vector(&n("attn_k_norm.weight"), w.k_norm.as_ref(), c.head_dim_k, c.qk_norm)?;
            vector(&n("post_attention_norm.weight"), w.post_attn_norm.as_ref(), c.hidden, c.post_norms)?;
            vector(&n("post_ffw_norm.weight"), w.post_ffw_norm.as_ref(), c.hidden, c.post_norms)?;
            vector(&n("ffn_gate.bias"), w.ffn_biases.gate.as_ref(), c.ffn, false)?;
            vector(&n("ffn_up.bias"), w.ffn_biases.up.as_ref(), c.ffn, false)?;
            vector(&n("ffn_down.bias"), w.ffn_biases.down.as_ref(), c.hidden, false)?;
        }
        let valid = c.n_kv_heads > 0 && c.n_heads.is_multiple_of(c.n_kv_heads) && c.rope_dims <= c.head_dim_k;
        if valid {
            Ok(())
        } else {
            Err(TransformerError::BadShape {
                name: "attention heads".to_owned(),
                expected: vec![c.n_heads as u64, c.head_dim_k as u64],
                found: vec![c.n_kv_heads as u64, c.rope_dims as u64],
            })
        }
    }
}
