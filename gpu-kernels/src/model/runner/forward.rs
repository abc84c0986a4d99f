//! Recording the forward pass of a chunk of `n` tokens at positions `start .. start + n`
//! (n = 1 when decoding): the embedding of the ids in `s.ids`, every block over all n rows
//! (matrix–matrix products for n > 1, matrix-vector for 1; the keys and values of all n
//! stored before the causal attention reads them), then, when asked, the output head on
//! the last row only.

use roofline_reference::transformer::{Activation, RopeLayout};

use super::build::GpuLayer;
use super::GpuModel;
use crate::context::GpuContext;
use crate::error::ProbeError;
use crate::model::f32_ops::{AttentionArgs, Elementwise, Rope};
use crate::model::ops::Pre;

impl GpuModel {
    /// Records the chunk into `encoder`; with `head`, leaves the last row's logits in
    /// `s.logits` and their argmax in `s.token`.
    pub(super) async fn record_chunk(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        n: u32,
        start: u32,
        head: bool,
    ) -> Result<(), ProbeError> {
        let c = &self.config;
        let (f, q, s) = (&self.fops, &self.qops, &self.s);
        let hidden = c.hidden as u32;
        let mut x = 0usize;
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            self.mark(&mut pass, "start");
            // Embedding, scaled (Gemma).
            match c.embedding_scale {
                Some(scale) => {
                    self.token_embd.gather(q, ctx, &mut pass, &s.ids, n, &s.h).await?;
                    f.elementwise(ctx, &mut pass, Elementwise::Scale(scale), &s.h, None, &s.x[0], n * hidden).await?;
                }
                None => self.token_embd.gather(q, ctx, &mut pass, &s.ids, n, &s.x[0]).await?,
            }
            self.mark(&mut pass, "embedding");
            for (index, l) in self.layers.iter().enumerate() {
                self.record_layer(ctx, &mut pass, index, l, n, start, &mut x).await?;
            }
        }
        if !head {
            return Ok(());
        }
        let last = if n == 1 {
            &s.x[x]
        } else {
            let row_bytes = u64::from(hidden) * 4;
            encoder.copy_buffer_to_buffer(&s.x[x], u64::from(n - 1) * row_bytes, &s.last, 0, row_bytes);
            &s.last
        };
        let mut pass = encoder.begin_compute_pass(&Default::default());
        self.mark(&mut pass, "between passes");
        let output = self.output.as_ref().unwrap_or(&self.token_embd);
        if output.fuses(q, ctx) {
            let norm = Pre::Norm { weights: &self.output_norm, eps: c.rms_eps };
            output.apply_with(q, ctx, &mut pass, last, norm, &s.logits, false).await?;
        } else {
            f.rms_norm(ctx, &mut pass, last, Some(&self.output_norm), &s.h, hidden, 1, c.rms_eps).await?;
            output.apply(q, ctx, &mut pass, &s.h, &s.logits, 1).await?;
        }
        self.mark(&mut pass, "output head");
        f.argmax(ctx, &mut pass, &s.logits, &s.token, c.vocab as u32).await?;
        self.mark(&mut pass, "argmax");
        Ok(())
    }

    /// Records one block over `n` rows; `x` is the index of the residual stream's buffer
    /// in its pair, before and after.
    #[allow(clippy::too_many_arguments)]
    async fn record_layer(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        index: usize,
        l: &GpuLayer,
        n: u32,
        start: u32,
        x: &mut usize,
    ) -> Result<(), ProbeError> {
        let c = &self.config;
        let (f, q, s) = (&self.fops, &self.qops, &self.s);
        let hidden = c.hidden as u32;
        let eps = c.rms_eps;
        let hd = c.head_dim_k as u32;
        let (q_dim, k_dim, v_dim) = (c.q_dim() as u32, c.k_dim() as u32, c.v_dim() as u32);
        // Projections (with the attention norm in the same dispatches where the kernels
        // allow), biases, per-head norms; each index tracks the current buffer of a pair.
        let mut qi = 0;
        let mut ki = 0;
        let mut vi = 0;
        if n == 1 && [&l.wq, &l.wk, &l.wv].iter().all(|m| m.fuses(q, ctx)) {
            let norm = Pre::Norm { weights: &l.attn_norm, eps };
            l.wq.apply_with(q, ctx, pass, &s.x[*x], norm, &s.q[0], false).await?;
            l.wk.apply_with(q, ctx, pass, &s.x[*x], norm, &s.k[0], false).await?;
            l.wv.apply_with(q, ctx, pass, &s.x[*x], norm, &s.v[0], false).await?;
        } else {
            f.rms_norm(ctx, pass, &s.x[*x], Some(&l.attn_norm), &s.h, hidden, n, eps).await?;
            self.mark(pass, "norms");
            l.wq.apply(q, ctx, pass, &s.h, &s.q[0], n).await?;
            l.wk.apply(q, ctx, pass, &s.h, &s.k[0], n).await?;
            l.wv.apply(q, ctx, pass, &s.h, &s.v[0], n).await?;
        }
        self.mark(pass, "q k v");
        for (bias, pair, i, len) in
            [(&l.bq, &s.q, &mut qi, q_dim), (&l.bk, &s.k, &mut ki, k_dim), (&l.bv, &s.v, &mut vi, v_dim)]
        {
            if let Some(b) = bias {
                f.elementwise(ctx, pass, Elementwise::AddRow { len }, &pair[*i], Some(b), &pair[1 - *i], n * len)
                    .await?;
                *i = 1 - *i;
            }
        }
        for (norm, pair, i, heads) in [(&l.q_norm, &s.q, &mut qi, c.n_heads), (&l.k_norm, &s.k, &mut ki, c.n_kv_heads)]
        {
            if let Some(w) = norm {
                f.rms_norm(ctx, pass, &pair[*i], Some(w), &pair[1 - *i], hd, n * heads as u32, eps).await?;
                *i = 1 - *i;
            }
        }
        self.mark(pass, "bias, q/k norms");
        let (base, freq_scale) = c.rope_for_layer(index);
        let rope = Rope { n_rot: c.rope_dims as u32, neox: c.rope_layout == RopeLayout::Neox, base, freq_scale };
        if k_dim == v_dim {
            let shape = (n, c.n_heads as u32, c.n_kv_heads as u32, hd);
            let (qkv, caches) = ((&s.q[qi], &s.k[ki], &s.v[vi]), (&l.k_cache, &l.v_cache));
            f.rope_kv(ctx, pass, qkv, caches, shape, start, rope).await?;
        } else {
            f.rope_rows(ctx, pass, &s.q[qi], n, c.n_heads as u32, hd, start, rope).await?;
            f.rope_rows(ctx, pass, &s.k[ki], n, c.n_kv_heads as u32, hd, start, rope).await?;
            let (k_row, v_row) =
                (Elementwise::Store { offset: start * k_dim }, Elementwise::Store { offset: start * v_dim });
            f.elementwise(ctx, pass, k_row, &s.k[ki], None, &l.k_cache, n * k_dim).await?;
            f.elementwise(ctx, pass, v_row, &s.v[vi], None, &l.v_cache, n * v_dim).await?;
        }
        self.mark(pass, "rope, kv store");
        let window = if c.is_sliding(index) { c.sliding_window.unwrap_or(0) as u32 } else { 0 };
        let args = AttentionArgs {
            q: &s.q[qi],
            k: &l.k_cache,
            v: &l.v_cache,
            scores: &s.scores,
            out: &s.att,
            parts: Some(&s.att_parts),
            heads: c.n_heads as u32,
            kv_heads: c.n_kv_heads as u32,
            dim: hd,
            pos: start,
            queries: n,
            window,
            ctx: self.context_len,
            scale: c.attention_scale,
        };
        f.attention(ctx, pass, &args).await?;
        self.mark(pass, "attention");
        if l.bo.is_none() && l.post_attn_norm.is_none() {
            // x += Wo · attention, in one dispatch.
            l.wo.apply_add(q, ctx, pass, &s.att, &s.x[*x], n).await?;
        } else {
            self.attention_output(ctx, pass, l, n, x).await?;
        }
        self.mark(pass, "o");
        // Feed-forward network (its norm fused as the attention's).
        if n == 1 && l.gate.fuses(q, ctx) && l.up.fuses(q, ctx) {
            let norm = Pre::Norm { weights: &l.ffn_norm, eps };
            l.gate.apply_with(q, ctx, pass, &s.x[*x], norm, &s.g, false).await?;
            l.up.apply_with(q, ctx, pass, &s.x[*x], norm, &s.u, false).await?;
        } else {
            f.rms_norm(ctx, pass, &s.x[*x], Some(&l.ffn_norm), &s.h, hidden, n, eps).await?;
            self.mark(pass, "norms");
            l.gate.apply(q, ctx, pass, &s.h, &s.g, n).await?;
            l.up.apply(q, ctx, pass, &s.h, &s.u, n).await?;
        }
        self.mark(pass, "gate, up");
        // The down projection, its input (act(gate) ⊙ up) made in the same dispatch where
        // the kernel allows, and added straight into x when no post-norm comes between.
        let post_norm = l.post_ffw_norm.as_ref();
        let out = if post_norm.is_some() { &s.d[0] } else { &s.x[*x] };
        if n == 1 && l.down.fuses(q, ctx) {
            let gate = match c.activation {
                Activation::Silu => Pre::SiluGate { up: &s.u },
                Activation::GeluTanh => Pre::GeluGate { up: &s.u },
            };
            l.down.apply_with(q, ctx, pass, &s.g, gate, out, post_norm.is_none()).await?;
        } else {
            let act = match c.activation {
                Activation::Silu => Elementwise::SiluGate,
                Activation::GeluTanh => Elementwise::GeluGate,
            };
            f.elementwise(ctx, pass, act, &s.g, Some(&s.u), &s.a, n * c.ffn as u32).await?;
            self.mark(pass, "activation");
            if post_norm.is_some() {
                l.down.apply(q, ctx, pass, &s.a, out, n).await?;
            } else {
                l.down.apply_add(q, ctx, pass, &s.a, out, n).await?;
            }
        }
        self.mark(pass, "down");
        let Some(w) = post_norm else {
            return Ok(());
        };
        f.rms_norm(ctx, pass, &s.d[0], Some(w), &s.d[1], hidden, n, eps).await?;
        f.elementwise(ctx, pass, Elementwise::Add, &s.x[*x], Some(&s.d[1]), &s.x[1 - *x], n * hidden).await?;
        *x = 1 - *x;
        self.mark(pass, "norms");
        Ok(())
    }

    /// Records x + (post-norm of) (Wo · attention + bias) into the other buffer of the
    /// residual pair (Gemma's post-attention norm, Qwen's output bias).
    async fn attention_output(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        l: &GpuLayer,
        n: u32,
        x: &mut usize,
    ) -> Result<(), ProbeError> {
        let (f, q, s) = (&self.fops, &self.qops, &self.s);
        let hidden = self.config.hidden as u32;
        let mut oi = 0;
        l.wo.apply(q, ctx, pass, &s.att, &s.o[0], n).await?;
        if let Some(b) = &l.bo {
            f.elementwise(ctx, pass, Elementwise::AddRow { len: hidden }, &s.o[0], Some(b), &s.o[1], n * hidden)
                .await?;
            oi = 1;
        }
        if let Some(w) = &l.post_attn_norm {
            f.rms_norm(ctx, pass, &s.o[oi], Some(w), &s.o[1 - oi], hidden, n, self.config.rms_eps).await?;
            oi = 1 - oi;
        }
        f.elementwise(ctx, pass, Elementwise::Add, &s.x[*x], Some(&s.o[oi]), &s.x[1 - *x], n * hidden).await?;
        *x = 1 - *x;
        Ok(())
    }
}
