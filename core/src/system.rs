//! The machine an estimate runs on: one CPU with its memory, and optionally one or more
//! identical GPUs, which may share the CPU's memory (unified memory).

use serde::{Deserialize, Serialize};

use crate::hardware::{CpuSpec, GpuBackend, GpuSpec, HardwareEntry, Isa, MemorySpec, UnifiedMemory};

/// A concrete machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct System {
    /// Display name.
    pub name: String,
    /// The host CPU.
    pub cpu: CpuSpec,
    /// The host memory.
    pub memory: MemorySpec,
    /// The GPU model, if any.
    pub gpu: Option<GpuSpec>,
    /// How many of that GPU (ignored without a GPU).
    pub gpu_count: u32,
    /// Present when the GPU shares the host memory.
    pub unified: Option<UnifiedMemory>,
    /// Present when the GPU's peaks come from the probes (see `calibration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured: Option<crate::measured::Measured>,
}

/// Why a machine could not be assembled from catalog entries.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SystemError {
    /// The entry used as host has no CPU.
    #[error("'{0}' is a GPU, not a host: pick a CPU or a system as host")]
    HostWithoutCpu(String),
    /// A GPU was added to an entry whose GPU is integrated.
    #[error("'{0}' has unified memory; a discrete GPU cannot be added to it here")]
    GpuOnUnified(String),
    /// The entry given as GPU has no GPU.
    #[error("'{0}' has no GPU")]
    NotAGpu(String),
    /// A GPU count of zero or more than 16.
    #[error("GPU count must be between 1 and 16, got {0}")]
    GpuCount(u32),
    /// More than one GPU on a machine without discrete GPUs.
    #[error("'{0}' has no discrete GPU to multiply: give a GPU (--gpu) or one GPU")]
    MultipleWithoutDiscrete(String),
    /// A host given for an entry that has its own CPU.
    #[error("'{0}' has its own CPU; a separate host applies only to a discrete GPU entry")]
    HostForCpuEntry(String),
    /// A second discrete GPU model on a GPU entry.
    #[error("'{0}' is already a GPU; combine a CPU entry with a GPU instead")]
    GpuOnGpu(String),
}

/// The host assumed for a discrete GPU when none is given: an 8-core AVX2 desktop with
/// dual-channel DDR4-3200 (51.2 GB/s) and 64 GB, typical of the machines in LocalScore's
/// published runs.
pub fn default_host() -> (CpuSpec, MemorySpec) {
    (
        CpuSpec {
            isa: Isa::X86_64,
            microarch: "znver3".to_owned(),
            performance_cores: 8,
            efficiency_cores: 0,
            threads: 16,
            simd_width_bits: 256,
            fma_units_per_core: 2,
            base_clock_ghz: 3.4,
            boost_clock_ghz: 4.6,
            int8_dot: false,
        },
        MemorySpec {
            kind: "DDR4".to_owned(),
            channels: 2,
            bus_width_bits_per_channel: 64,
            speed_mt_per_s: 3200.0,
            capacity_gb: 64.0,
            max_capacity_gb: Some(128.0),
        },
    )
}

impl System {
    /// This machine with its GPU driven through `backend` instead of its catalog default
    /// (the workload's runtime choice); itself where there is no GPU or no choice.
    pub fn with_backend(&self, backend: Option<GpuBackend>) -> std::borrow::Cow<'_, System> {
        match (backend, &self.gpu) {
            (Some(b), Some(g)) if g.backend != b => {
                let mut out = self.clone();
                if let Some(g) = out.gpu.as_mut() {
                    g.backend = b;
                }
                std::borrow::Cow::Owned(out)
            }
            _ => std::borrow::Cow::Borrowed(self),
        }
    }

    /// Builds a machine from a catalog entry, an optional separate host (for a discrete
    /// GPU entry) and an optional discrete GPU added to a CPU entry, with `gpu_count` GPUs.
    pub fn assemble(
        main: &HardwareEntry,
        host: Option<&HardwareEntry>,
        extra_gpu: Option<&HardwareEntry>,
        gpu_count: u32,
    ) -> Result<System, SystemError> {
        if gpu_count == 0 || gpu_count > 16 {
            return Err(SystemError::GpuCount(gpu_count));
        }
        if host.is_some() && main.cpu.is_some() {
            return Err(SystemError::HostForCpuEntry(main.id.clone()));
        }
        if extra_gpu.is_some() && main.cpu.is_none() {
            return Err(SystemError::GpuOnGpu(main.id.clone()));
        }
        let discrete = extra_gpu.is_some() || (main.gpu.is_some() && main.unified_memory.is_none());
        if gpu_count > 1 && !discrete {
            return Err(SystemError::MultipleWithoutDiscrete(main.id.clone()));
        }
        let (cpu, memory, unified) = match (host, &main.cpu, &main.memory) {
            (Some(h), _, _) => match (&h.cpu, &h.memory) {
                (Some(c), Some(m)) => (c.clone(), m.clone(), None),
                _ => return Err(SystemError::HostWithoutCpu(h.id.clone())),
            },
            (None, Some(c), Some(m)) => (c.clone(), m.clone(), main.unified_memory),
            _ => {
                let (c, m) = default_host();
                (c, m, None)
            }
        };
        // A laptop entry's GPU, integrated or discrete, is a laptop GPU.
        let laptop = |e: &HardwareEntry| e.class == crate::hardware::HardwareClass::Laptop;
        let mut gpu = main.gpu.clone();
        if let Some(g) = gpu.as_mut() {
            g.mobile |= laptop(main);
        }
        let mut unified = unified;
        let mut name = main.name.clone();
        if let Some(extra) = extra_gpu {
            if main.unified_memory.is_some() && host.is_none() {
                return Err(SystemError::GpuOnUnified(main.id.clone()));
            }
            let mut g = extra.gpu.clone().ok_or_else(|| SystemError::NotAGpu(extra.id.clone()))?;
            g.mobile |= laptop(extra);
            gpu = Some(g);
            unified = None;
            name = format!("{} + {}", main.name, extra.name);
        }
        if let Some(h) = host {
            name = format!("{} (host {})", name, h.name);
        }
        if gpu_count > 1 {
            name = format!("{name} × {gpu_count}");
        }
        Ok(System { name, cpu, memory, gpu, gpu_count, unified, measured: None })
    }

    /// The GPU backend in use, if a GPU is present.
    pub fn gpu_backend(&self) -> Option<GpuBackend> {
        self.gpu.as_ref().map(|g| g.backend)
    }

    /// Host memory capacity left for the model after the OS, GB:
    /// `capacity − min(4 GB, 15 % of capacity)`.
    pub fn host_usable_gb(&self) -> f64 {
        let reserve = (0.15 * self.memory.capacity_gb).min(4.0);
        (self.memory.capacity_gb - reserve).max(0.0)
    }

    /// Memory one GPU may allocate, GB: its VRAM, or for unified memory the usable
    /// fraction of host memory.
    pub fn gpu_capacity_gb(&self) -> f64 {
        match (&self.gpu, self.unified) {
            (Some(_), Some(u)) => u.gpu_usable_fraction * self.memory.capacity_gb,
            (Some(g), None) => g.vram_gb,
            (None, _) => 0.0,
        }
    }
}
