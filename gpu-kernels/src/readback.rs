//! Reading buffers back to the CPU: the same code natively (polling the device) and in the
//! browser (the map callback arrives from the event loop).

use crate::context::GpuContext;
use crate::error::ProbeError;

/// Maps `buffer` (usage `MAP_READ`) and copies its bytes out. Resolves once every
/// submission before the call has finished, so it doubles as a completion fence.
pub(crate) async fn read_bytes(ctx: &GpuContext, buffer: &wgpu::Buffer) -> Result<Vec<u8>, ProbeError> {
    read_bytes_after(ctx, buffer, None).await
}

/// As [`read_bytes`], waiting natively only for the submission `after` (the last one that
/// writes `buffer`) where given, so later submissions may still run.
pub(crate) async fn read_bytes_after(
    ctx: &GpuContext,
    buffer: &wgpu::Buffer,
    after: Option<wgpu::SubmissionIndex>,
) -> Result<Vec<u8>, ProbeError> {
    let (sender, receiver) = futures_channel::oneshot::channel();
    let slice = buffer.slice(..);
    slice.map_async(wgpu::MapMode::Read, move |result| {
        // The receiver only goes away when the caller was dropped; nothing to report then.
        let _ = sender.send(result);
    });
    // Natively this blocks until the GPU is done; in the browser it does nothing.
    if let Err(error) = ctx.device.poll(wgpu::PollType::Wait { submission_index: after, timeout: None }) {
        return Err(lost_or(ctx, format!("waiting for the GPU failed: {error}")));
    }
    match receiver.await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => return Err(lost_or(ctx, format!("reading a buffer back failed: {error}"))),
        Err(_) => return Err(lost_or(ctx, "the GPU never answered the read-back".to_string())),
    }
    let bytes = match slice.get_mapped_range() {
        Ok(view) => view.to_vec(),
        Err(error) => return Err(lost_or(ctx, format!("mapping a buffer failed: {error}"))),
    };
    buffer.unmap();
    if let Some(reason) = ctx.lost_reason() {
        return Err(ProbeError::DeviceLost(reason));
    }
    Ok(bytes)
}

/// Reads `buffer` as little-endian u32 words.
pub(crate) async fn read_words(ctx: &GpuContext, buffer: &wgpu::Buffer) -> Result<Vec<u32>, ProbeError> {
    let bytes = read_bytes(ctx, buffer).await?;
    Ok(bytes.chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect())
}

fn lost_or(ctx: &GpuContext, message: String) -> ProbeError {
    match ctx.lost_reason() {
        Some(reason) => ProbeError::DeviceLost(reason),
        None => ProbeError::Gpu(message),
    }
}
