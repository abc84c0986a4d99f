//! `roofline generate`: a real GGUF model, greedy decoding on the GPU (or the CPU
//! reference), as text or JSON.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::{anyhow, bail, Context, Result};
use roofline_gguf::{next_prefix_bytes, parse_header_in_file, GgufError, Header};
use roofline_gpu::model::loader::Blocking;
use roofline_gpu::model::runner::{GpuModel, LoadProgress};
use roofline_gpu::{ContextOptions, GpuContext};
use roofline_reference::tokenizer::Tokenizer;
use roofline_reference::transformer::{argmax, Model, SourceError, TensorSource, Weights};
use serde_json::json;

/// Options of `roofline generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The model file.
    #[arg(long)]
    pub gguf: PathBuf,
    /// The prompt, completed as is (no chat template), tokenized as llama.cpp does.
    #[arg(long)]
    pub prompt: String,
    /// Tokens to generate.
    #[arg(long, default_value_t = 32)]
    pub tokens: usize,
    /// KV cache positions on the GPU (prompt + generated tokens must fit).
    #[arg(long, default_value_t = 1024)]
    pub context: u32,
    /// Run the CPU reference instead of the GPU.
    #[arg(long)]
    pub cpu: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Byte ranges of a file on disk.
struct FileSource(Mutex<File>);

impl TensorSource for FileSource {
    fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        let err = |e: std::io::Error| SourceError { message: e.to_string() };
        let mut file = self.0.lock().map_err(|_| SourceError { message: "file lock poisoned".into() })?;
        file.seek(SeekFrom::Start(offset)).map_err(err)?;
        let mut out = Vec::new();
        out.try_reserve_exact(len).map_err(|e| SourceError { message: e.to_string() })?;
        file.by_ref().take(len as u64).read_to_end(&mut out).map_err(err)?;
        Ok(out)
    }
}

/// Reads the header from the smallest prefix that holds it; returns it with that prefix.
fn read_header(file: &mut File, size: u64) -> Result<(Header, Vec<u8>)> {
    let mut prefix = Vec::new();
    let mut want = next_prefix_bytes(0, 1 << 20, size);
    loop {
        file.seek(SeekFrom::Start(0))?;
        prefix.clear();
        file.by_ref().take(want).read_to_end(&mut prefix)?;
        match parse_header_in_file(&prefix, size) {
            Ok(h) => return Ok((h, prefix)),
            Err(GgufError::NeedMore { needed_bytes, .. }) if (prefix.len() as u64) < size => {
                want = next_prefix_bytes(prefix.len() as u64, needed_bytes, size);
            }
            Err(e) => bail!("{e}"),
        }
    }
}

/// Runs the command; progress on stderr, the result returned.
pub fn run(args: &GenerateArgs) -> Result<String> {
    let mut file = File::open(&args.gguf).with_context(|| format!("cannot open {}", args.gguf.display()))?;
    let size = file.metadata()?.len();
    let (header, prefix) = read_header(&mut file, size)?;
    let tokenizer = Tokenizer::from_gguf(&header, &prefix)?;
    let prompt = tokenizer.encode(&args.prompt, tokenizer.add_bos_token());
    if prompt.is_empty() {
        bail!("the prompt gives no tokens");
    }
    let source = FileSource(Mutex::new(file));
    let (tokens, prompt_s, gen_s, adapter, backend) = if args.cpu {
        let mut model = Model::new(Weights::load(&header, &source)?)?;
        let mut kv = model.new_cache();
        let t0 = std::time::Instant::now();
        let mut logits = Vec::new();
        for (pos, &t) in prompt.iter().enumerate() {
            logits = model.forward(t, pos, &mut kv)?;
        }
        let prompt_s = t0.elapsed().as_secs_f64();
        let t1 = std::time::Instant::now();
        let mut tokens = Vec::with_capacity(args.tokens);
        while tokens.len() < args.tokens {
            let next = argmax(&logits).ok_or_else(|| anyhow!("no logits"))?;
            tokens.push(next);
            if !args.json {
                eprint!("{}", tokenizer.decode(&[next]));
            }
            if tokens.len() < args.tokens {
                logits = model.forward(next, prompt.len() + tokens.len() - 1, &mut kv)?;
            }
        }
        (tokens, prompt_s, t1.elapsed().as_secs_f64(), "CPU reference".to_string(), "cpu".to_string())
    } else {
        let ctx = pollster::block_on(GpuContext::new(&ContextOptions::default()))?;
        let needed = prompt.len() + args.tokens;
        if needed > args.context as usize {
            bail!("{needed} tokens do not fit a {}-position context (--context)", args.context);
        }
        // Part by part: only one layer's bytes are in memory at a time.
        let mut shown = (u64::MAX, usize::MAX);
        let mut progress = |p: LoadProgress| {
            if (p.bytes >> 20, p.layers) != shown {
                shown = (p.bytes >> 20, p.layers);
                eprint!(
                    "\rloading: {} of {} MiB, {}/{} layers",
                    shown.0,
                    p.total_bytes >> 20,
                    p.layers,
                    p.total_layers
                );
            }
        };
        let source = Blocking(&source);
        let model = pollster::block_on(GpuModel::load_streaming(&ctx, &header, &source, args.context, &mut progress))
            .map_err(|e| anyhow!("{e}"))?;
        eprintln!();
        let run = pollster::block_on(model.generate(
            &ctx,
            &prompt,
            args.tokens,
            &mut |t| {
                if !args.json {
                    eprint!("{}", tokenizer.decode(&[t]));
                }
            },
            &|| false,
        ))
        .map_err(|e| anyhow!("{e}"))?;
        eprintln!();
        (run.tokens, run.prompt_s, run.generation_s, ctx.adapter.name.clone(), ctx.adapter.backend.clone())
    };
    let text = tokenizer.decode(&tokens);
    let prompt_tps = prompt.len() as f64 / prompt_s.max(1e-9);
    let gen_tps = tokens.len().saturating_sub(1) as f64 / gen_s.max(1e-9);
    if args.json {
        let value = json!({
            "model": args.gguf.file_name().map(|n| n.to_string_lossy().into_owned()),
            "prompt": args.prompt,
            "prompt_tokens": prompt,
            "tokens": tokens,
            "text": text,
            "prompt_tokens_per_s": prompt_tps,
            "generation_tokens_per_s": gen_tps,
            "adapter": adapter,
            "backend": backend,
        });
        return Ok(serde_json::to_string_pretty(&value)? + "\n");
    }
    Ok(format!(
        "{}{}\n\nprompt: {} tokens at {:.1} token/s; generation: {} tokens at {:.1} token/s ({adapter}, {backend})\n",
        args.prompt,
        text,
        prompt.len(),
        prompt_tps,
        tokens.len(),
        gen_tps
    ))
}
