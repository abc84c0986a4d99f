//! Small wgpu helpers the probes share: compiled pipelines, buffers created inside an
//! out-of-memory error scope, uniforms, bind groups, and a completion fence.

use std::collections::HashMap;

use crate::context::GpuContext;
use crate::error::ProbeError;
use crate::shaders;

/// Workgroup size every probe shader declares (except `tick.wgsl`).
pub(crate) const WORKGROUP: u32 = 256;

/// Which shader a pipeline runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kernel {
    Fill,
    Read,
    Copy,
    FmaF32,
    FmaF16,
    Dot4I8,
    Tick,
}

impl Kernel {
    fn source(self) -> &'static str {
        match self {
            Self::Fill => shaders::FILL,
            Self::Read => shaders::READ,
            Self::Copy => shaders::COPY,
            Self::FmaF32 => shaders::FMA_F32,
            Self::FmaF16 => shaders::FMA_F16,
            Self::Dot4I8 => shaders::DOT4_I8,
            Self::Tick => shaders::TICK,
        }
    }
}

/// Pipelines compiled on first use.
#[derive(Default)]
pub(crate) struct Pipelines {
    compiled: HashMap<Kernel, wgpu::ComputePipeline>,
}

impl Pipelines {
    /// The pipeline for `kernel`, compiling it inside a validation error scope.
    pub(crate) async fn get(&mut self, ctx: &GpuContext, kernel: Kernel) -> Result<wgpu::ComputePipeline, ProbeError> {
        if let Some(pipeline) = self.compiled.get(&kernel) {
            return Ok(pipeline.clone());
        }
        let pipeline = compile(ctx, &format!("{kernel:?}"), kernel.source()).await?;
        self.compiled.insert(kernel, pipeline.clone());
        Ok(pipeline)
    }
}

/// Compiles WGSL with entry point `main` inside a validation error scope; a shader the
/// adapter refuses is `Unsupported`, named by `label`.
pub(crate) async fn compile(ctx: &GpuContext, label: &str, source: &str) -> Result<wgpu::ComputePipeline, ProbeError> {
    let scope = ctx.device.push_error_scope(wgpu::ErrorFilter::Validation);
    let module = ctx.device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    });
    let pipeline = ctx.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(label),
        layout: None,
        module: &module,
        entry_point: Some("main"),
        compilation_options: Default::default(),
        cache: None,
    });
    match scope.pop().await {
        Some(error) => Err(ProbeError::Unsupported(format!("{label} shader: {error}"))),
        None => Ok(pipeline),
    }
}

/// A buffer of `bytes`, or `OutOfMemory` when the device cannot hold it.
pub(crate) async fn buffer(
    ctx: &GpuContext,
    label: &str,
    bytes: u64,
    usage: wgpu::BufferUsages,
) -> Result<wgpu::Buffer, ProbeError> {
    let oom = ctx.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let invalid = ctx.device.push_error_scope(wgpu::ErrorFilter::Validation);
    let buffer = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: bytes,
        usage,
        mapped_at_creation: false,
    });
    let validation = invalid.pop().await;
    let memory = oom.pop().await;
    if memory.is_some() {
        return Err(ProbeError::OutOfMemory { bytes });
    }
    if let Some(error) = validation {
        // Browsers report some failed allocations as validation errors.
        let text = error.to_string();
        return Err(if text.to_ascii_lowercase().contains("memory") {
            ProbeError::OutOfMemory { bytes }
        } else {
            ProbeError::Gpu(text)
        });
    }
    Ok(buffer)
}

/// A read-back buffer of `bytes` (`MAP_READ | COPY_DST`).
pub(crate) async fn staging(ctx: &GpuContext, bytes: u64) -> Result<wgpu::Buffer, ProbeError> {
    buffer(ctx, "staging", bytes, wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST).await
}

/// A uniform buffer holding `words` (the probes pass four, the model kernels eight). (Not
/// `create_buffer_init`: that panics on a lost device.)
pub(crate) async fn uniform(ctx: &GpuContext, words: &[u32]) -> Result<wgpu::Buffer, ProbeError> {
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let usage = wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST;
    let params = buffer(ctx, "params", bytes.len() as u64, usage).await?;
    ctx.queue.write_buffer(&params, 0, &bytes);
    Ok(params)
}

/// A bind group for group 0 of `pipeline` with `(buffer, bytes)` at bindings 0, 1, ….
pub(crate) fn bind(
    ctx: &GpuContext,
    pipeline: &wgpu::ComputePipeline,
    buffers: &[(&wgpu::Buffer, Option<u64>)],
) -> wgpu::BindGroup {
    let entries: Vec<wgpu::BindGroupEntry<'_>> = buffers
        .iter()
        .enumerate()
        .map(|(binding, (buffer, bytes))| wgpu::BindGroupEntry {
            binding: binding as u32,
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer,
                offset: 0,
                size: bytes.and_then(wgpu::BufferSize::new),
            }),
        })
        .collect();
    ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout: &pipeline.get_bind_group_layout(0),
        entries: &entries,
    })
}

/// One dispatch: pipeline, bind group, workgroup count.
pub(crate) struct Dispatch {
    pub(crate) pipeline: wgpu::ComputePipeline,
    pub(crate) bind_group: wgpu::BindGroup,
    pub(crate) workgroups: u32,
}

impl Dispatch {
    pub(crate) fn record(&self, pass: &mut wgpu::ComputePass<'_>) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.dispatch_workgroups(self.workgroups, 1, 1);
    }
}

/// Submits `dispatches` once (no timing) and waits for them.
pub(crate) async fn run_once(
    ctx: &GpuContext,
    before: impl FnOnce(&mut wgpu::CommandEncoder),
    dispatches: &[&Dispatch],
    after: impl FnOnce(&mut wgpu::CommandEncoder),
) -> Result<(), ProbeError> {
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    before(&mut encoder);
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        for dispatch in dispatches {
            dispatch.record(&mut pass);
        }
    }
    after(&mut encoder);
    ctx.queue.submit([encoder.finish()]);
    wait_idle(ctx).await
}

/// Resolves when every submission so far has finished.
pub(crate) async fn wait_idle(ctx: &GpuContext) -> Result<(), ProbeError> {
    let (sender, receiver) = futures_channel::oneshot::channel();
    ctx.queue.on_submitted_work_done(move || {
        let _ = sender.send(());
    });
    if let Err(error) = ctx.device.poll(wgpu::PollType::wait_indefinitely()) {
        return Err(match ctx.lost_reason() {
            Some(reason) => ProbeError::DeviceLost(reason),
            None => ProbeError::Gpu(format!("waiting for the GPU failed: {error}")),
        });
    }
    receiver.await.map_err(|_| match ctx.lost_reason() {
        Some(reason) => ProbeError::DeviceLost(reason),
        None => ProbeError::Gpu("the GPU never reported completion".into()),
    })
}

/// Workgroups for `invocations`, within the adapter's per-dimension limit.
pub(crate) fn workgroups_for(ctx: &GpuContext, invocations: u64) -> u32 {
    let wanted = invocations.div_ceil(u64::from(WORKGROUP)).max(1);
    wanted.min(u64::from(ctx.adapter.max_workgroups_per_dimension.max(1))) as u32
}
