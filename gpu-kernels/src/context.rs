//! The GPU context: instance, adapter, device and queue, created once and shared by every
//! probe run, with the adapter's description and the features the probes may use.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

/// What a caller may ask of the context.
#[derive(Clone, Debug)]
pub struct ContextOptions {
    /// Use `timestamp-query` when the adapter has it (else wall-clock timing).
    pub timestamps: bool,
    /// Prefer the high-performance adapter (a discrete GPU over an integrated one).
    pub high_performance: bool,
}

impl Default for ContextOptions {
    fn default() -> Self {
        Self { timestamps: true, high_performance: true }
    }
}

/// Why no context could be created.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// No adapter: no GPU driver, WebGPU disabled, or a blocklisted GPU.
    #[error("no GPU adapter is available: {0}")]
    NoAdapter(String),
    /// The adapter refused to create a device.
    #[error("the GPU adapter refused to create a device: {0}")]
    RequestDevice(String),
}

/// The adapter and what the probes can use on it, as reported to users.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct AdapterSummary {
    /// Adapter name as the driver gives it (may be empty in browsers).
    pub name: String,
    /// Vendor: a PCI id natively, a name such as "nvidia" in browsers.
    pub vendor: String,
    /// Architecture or description where the browser gives one.
    pub description: String,
    /// Driver and its version, where known.
    pub driver: String,
    /// Backend: Vulkan, Metal, Dx12 or BrowserWebGpu.
    pub backend: String,
    /// Discrete, integrated, virtual, CPU (software) or other.
    pub device_type: String,
    /// True for a software rasterizer (lavapipe, SwiftShader, WARP): figures are not
    /// performance claims.
    pub software: bool,
    /// Largest single buffer, bytes.
    pub max_buffer_bytes: u64,
    /// Largest storage binding, bytes.
    pub max_storage_binding_bytes: u64,
    /// Largest workgroup count per dimension.
    pub max_workgroups_per_dimension: u32,
    /// Timestamp queries are available and used.
    pub timestamps: bool,
    /// Timestamps can be written between dispatches of one pass (native adapters).
    #[serde(default)]
    pub timestamps_in_passes: bool,
    /// `shader-f16` is available.
    pub shader_f16: bool,
    /// The WGSL `packed_4x8_integer_dot_product` language feature is available.
    pub dot4_i8: bool,
}

impl AdapterSummary {
    /// The first of name, description and vendor the browser or driver reveals, if any.
    pub fn display_name(&self) -> Option<&str> {
        [&self.name, &self.description, &self.vendor].into_iter().find(|s| !s.is_empty()).map(String::as_str)
    }
}

/// Device, queue and adapter description, created once; probes borrow it.
pub struct GpuContext {
    /// The device.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
    /// What the adapter is and offers.
    pub adapter: AdapterSummary,
    lost: Arc<Mutex<Option<String>>>,
    errors: Arc<Mutex<Vec<String>>>,
}

impl GpuContext {
    /// Finds an adapter and creates a device with the adapter's own limits, so the probes
    /// can use the largest buffers it allows.
    pub async fn new(options: &ContextOptions) -> Result<Self, ContextError> {
        let instance = wgpu::Instance::new(instance_descriptor());
        let power = if options.high_performance {
            wgpu::PowerPreference::HighPerformance
        } else {
            wgpu::PowerPreference::LowPower
        };
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions { power_preference: power, ..Default::default() })
            .await
            .map_err(|e| ContextError::NoAdapter(e.to_string()))?;
        let info = adapter.get_info();
        let available = adapter.features();
        let mut features = wgpu::Features::empty();
        let timestamps = options.timestamps && available.contains(wgpu::Features::TIMESTAMP_QUERY);
        if timestamps {
            features |= wgpu::Features::TIMESTAMP_QUERY;
        }
        // Timestamps between dispatches (native Vulkan, Metal, DX12): the model's profile.
        let timestamps_in_passes = timestamps && available.contains(wgpu::Features::TIMESTAMP_QUERY_INSIDE_PASSES);
        if timestamps_in_passes {
            features |= wgpu::Features::TIMESTAMP_QUERY_INSIDE_PASSES;
        }
        let shader_f16 = available.contains(wgpu::Features::SHADER_F16);
        if shader_f16 {
            features |= wgpu::Features::SHADER_F16;
        }
        let limits = adapter.limits();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("roofline probes"),
                required_features: features,
                required_limits: limits.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| ContextError::RequestDevice(e.to_string()))?;
        let dot4_i8 =
            instance.wgsl_language_features().contains(wgpu::WgslLanguageFeatures::Packed4x8IntegerDotProduct);
        let lost = Arc::new(Mutex::new(None));
        let lost_in_callback = Arc::clone(&lost);
        device.set_device_lost_callback(move |reason, message| {
            if let Ok(mut slot) = lost_in_callback.lock() {
                *slot = Some(format!("{reason:?}: {message}"));
            }
        });
        let errors = Arc::new(Mutex::new(Vec::new()));
        let errors_in_handler = Arc::clone(&errors);
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            if let Ok(mut list) = errors_in_handler.lock() {
                list.push(error.to_string());
            }
        }));
        let adapter = AdapterSummary {
            name: info.name.clone(),
            vendor: vendor_name(info.vendor),
            description: info.driver_info.clone(),
            driver: info.driver.clone(),
            backend: format!("{:?}", info.backend),
            device_type: format!("{:?}", info.device_type),
            software: is_software(&info),
            max_buffer_bytes: limits.max_buffer_size,
            max_storage_binding_bytes: limits.max_storage_buffer_binding_size,
            max_workgroups_per_dimension: limits.max_compute_workgroups_per_dimension,
            timestamps,
            timestamps_in_passes,
            shader_f16,
            dot4_i8,
        };
        Ok(Self { device, queue, adapter, lost, errors })
    }

    /// Why the device was lost, if it was.
    pub fn lost_reason(&self) -> Option<String> {
        self.lost.lock().ok().and_then(|slot| slot.clone())
    }

    /// Errors no error scope caught, taken out of the list.
    pub fn take_uncaptured_errors(&self) -> Vec<String> {
        self.errors.lock().map(|mut list| std::mem::take(&mut *list)).unwrap_or_default()
    }

    /// Destroys the device, as a driver reset would; for tests of the lost-device path.
    pub fn destroy_device_for_test(&self) {
        // The browser reports the loss asynchronously, possibly after a pending read-back
        // has already failed; record it first so every later error names the cause.
        if let Ok(mut slot) = self.lost.lock() {
            *slot = Some("Destroyed: the device was destroyed on request".into());
        }
        self.device.destroy();
    }
}

#[cfg(target_arch = "wasm32")]
fn instance_descriptor() -> wgpu::InstanceDescriptor {
    let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
    descriptor.backends = wgpu::Backends::BROWSER_WEBGPU;
    descriptor
}

#[cfg(not(target_arch = "wasm32"))]
fn instance_descriptor() -> wgpu::InstanceDescriptor {
    // Honours WGPU_BACKEND and WGPU_ADAPTER_NAME, so a run can pick its adapter.
    wgpu::InstanceDescriptor::new_without_display_handle().with_env()
}

fn is_software(info: &wgpu::AdapterInfo) -> bool {
    let name = info.name.to_ascii_lowercase();
    info.device_type == wgpu::DeviceType::Cpu
        || ["llvmpipe", "lavapipe", "swiftshader", "warp", "software"].iter().any(|needle| name.contains(needle))
}

/// PCI vendor ids to names; browsers give 0 and the name lives in the description.
fn vendor_name(id: u32) -> String {
    match id {
        0x10de => "NVIDIA".into(),
        0x1002 | 0x1022 => "AMD".into(),
        0x8086 => "Intel".into(),
        0x106b => "Apple".into(),
        0x5143 => "Qualcomm".into(),
        0x13b5 => "Arm".into(),
        0x10005 => "Mesa".into(),
        0 => String::new(),
        other => format!("0x{other:04x}"),
    }
}
