//! Hardware descriptions: CPUs with their memory, discrete GPUs, and unified-memory chips.
//!
//! Units are in field names: `_gb` is 10⁹ bytes, `_gb_per_s` 10⁹ bytes per second,
//! `_tflops` 10¹² floating-point operations per second, `_ghz` 10⁹ cycles per second.

use serde::{Deserialize, Serialize};

use crate::source::Source;

/// What a catalog entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HardwareKind {
    /// A CPU with its system memory.
    Cpu,
    /// A discrete GPU card.
    Gpu,
    /// An x86 or Arm chip with a capable integrated GPU sharing system memory.
    Apu,
    /// An Apple silicon chip (unified memory).
    Apple,
    /// A phone system-on-chip.
    Phone,
}

/// The picker group an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HardwareClass {
    /// Small boxes and boards (mini PCs, Raspberry Pi, Jetson, Strix Halo boxes).
    Embedded,
    /// Laptops and laptop GPUs.
    Laptop,
    /// Desktops and consumer graphics cards.
    Desktop,
    /// Workstations and professional cards.
    Workstation,
    /// Servers and data-centre accelerators.
    Server,
    /// Apple silicon Macs.
    Apple,
    /// Phones.
    Phone,
}

/// Instruction-set architecture of a CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Isa {
    /// x86-64.
    #[serde(rename = "x86_64")]
    X86_64,
    /// 64-bit Arm.
    Aarch64,
}

/// The llama.cpp compute backend a GPU is usually driven through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum GpuBackend {
    /// NVIDIA CUDA.
    Cuda,
    /// AMD ROCm/HIP.
    Rocm,
    /// Apple Metal.
    Metal,
    /// Vulkan (any vendor).
    Vulkan,
    /// Intel SYCL/oneAPI.
    Sycl,
}

impl GpuBackend {
    /// Every backend, in the order the site lists them.
    pub const ALL: [GpuBackend; 5] =
        [GpuBackend::Cuda, GpuBackend::Rocm, GpuBackend::Metal, GpuBackend::Vulkan, GpuBackend::Sycl];

    /// The lower-case id used in the catalog, links and the CLI (`cuda`).
    pub fn id(self) -> &'static str {
        match self {
            GpuBackend::Cuda => "cuda",
            GpuBackend::Rocm => "rocm",
            GpuBackend::Metal => "metal",
            GpuBackend::Vulkan => "vulkan",
            GpuBackend::Sycl => "sycl",
        }
    }

    /// The name people read (`CUDA`).
    pub fn label(self) -> &'static str {
        match self {
            GpuBackend::Cuda => "CUDA",
            GpuBackend::Rocm => "ROCm",
            GpuBackend::Metal => "Metal",
            GpuBackend::Vulkan => "Vulkan",
            GpuBackend::Sycl => "SYCL",
        }
    }

    /// The backend named `text` (id or label, any case; `hip` is ROCm).
    pub fn parse(text: &str) -> Option<GpuBackend> {
        let t = text.trim().to_ascii_lowercase();
        let t = if t == "hip" { "rocm".to_owned() } else { t };
        GpuBackend::ALL.into_iter().find(|b| b.id() == t)
    }
}

/// FMA bits a core issues per cycle in the inference engine's quantized kernels: ggml's
/// k-quant dot products are written for 256-bit AVX2/NEON-class SIMD, so a core uses at
/// most two 256-bit FMAs per cycle even when it has wider or more units.
pub const ENGINE_FMA_BITS_PER_CYCLE: u32 = 512;

/// Share of the quantized dot-product rate an Arm core keeps without the int8 dot-product
/// instructions (`SDOT`, Armv8.2's optional dotprod): ggml's k-quant kernels then widen and
/// multiply with `SMULL`/`SMLAL` and add pairwise, about three instructions where `SDOT`
/// takes one for the same 16 products (x86 cores without VNNI keep AVX2's `VPMADDUBSW`,
/// which does the same work in one, so they keep their rate).
pub const ARM_WITHOUT_DOTPROD_INT8_SHARE: f64 = 1.0 / 3.0;

/// A CPU as the inference engine sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpuSpec {
    /// Instruction set.
    pub isa: Isa,
    /// Micro-architecture (`znver4`, `alderlake`, `apple-m4`).
    pub microarch: String,
    /// Physical performance cores (all cores of a homogeneous CPU).
    pub performance_cores: u32,
    /// Physical efficiency cores.
    #[serde(default)]
    pub efficiency_cores: u32,
    /// Hardware threads.
    pub threads: u32,
    /// Widest floating-point SIMD used, bits (128, 256, 512).
    pub simd_width_bits: u32,
    /// FMA pipes per performance core at that width.
    pub fma_units_per_core: u32,
    /// All-core base clock, GHz.
    pub base_clock_ghz: f64,
    /// Boost clock, GHz.
    pub boost_clock_ghz: f64,
    /// Int8 dot-product instructions (VNNI, Arm dotprod).
    #[serde(default)]
    pub int8_dot: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl CpuSpec {
    /// Clock used for sustained all-core work, GHz: the mean of base and boost.
    pub fn sustained_clock_ghz(&self) -> f64 {
        0.5 * (self.base_clock_ghz + self.boost_clock_ghz)
    }

    /// FP32 GFLOP/s the inference engine's kernels can issue: as
    /// [`CpuSpec::peak_fp32_gflops`] with `simd_bits × fma_units` capped at
    /// [`ENGINE_FMA_BITS_PER_CYCLE`].
    pub fn engine_fp32_gflops(&self) -> f64 {
        let bits = (self.simd_width_bits * self.fma_units_per_core).min(ENGINE_FMA_BITS_PER_CYCLE);
        f64::from(self.performance_cores) * f64::from(bits / 32) * 2.0 * self.sustained_clock_ghz()
    }

    /// Share of [`CpuSpec::engine_fp32_gflops`] the quantized matrix kernels reach for want
    /// of int8 dot-product instructions: [`ARM_WITHOUT_DOTPROD_INT8_SHARE`] on Arm cores
    /// without them, else 1.
    pub fn quantized_dot_share(&self) -> f64 {
        if self.isa == Isa::Aarch64 && !self.int8_dot {
            ARM_WITHOUT_DOTPROD_INT8_SHARE
        } else {
            1.0
        }
    }

    /// Peak FP32 GFLOP/s of the performance cores:
    /// `cores × (simd_bits / 32) lanes × 2 (FMA) × fma_units × clock_ghz`.
    pub fn peak_fp32_gflops(&self) -> f64 {
        f64::from(self.performance_cores)
            * f64::from(self.simd_width_bits / 32)
            * 2.0
            * f64::from(self.fma_units_per_core)
            * self.sustained_clock_ghz()
    }
}

/// System memory in a given configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemorySpec {
    /// Technology (`DDR5`, `LPDDR5X`, ...).
    pub kind: String,
    /// Channels populated.
    pub channels: u32,
    /// Bus width of one channel, bits (64 for a DDR DIMM channel).
    pub bus_width_bits_per_channel: u32,
    /// Transfer rate, MT/s.
    pub speed_mt_per_s: f64,
    /// Installed capacity, GB.
    pub capacity_gb: f64,
    /// Largest capacity the platform supports, GB.
    #[serde(default)]
    pub max_capacity_gb: Option<f64>,
}

impl MemorySpec {
    /// Peak bandwidth, GB/s: `channels × bus_width_bits / 8 × MT/s / 1000`.
    ///
    /// ```
    /// use roofline_core::hardware::MemorySpec;
    /// let ddr5 = MemorySpec { kind: "DDR5".into(), channels: 2, bus_width_bits_per_channel: 64,
    ///     speed_mt_per_s: 5600.0, capacity_gb: 64.0, max_capacity_gb: None };
    /// assert!((ddr5.peak_bandwidth_gb_per_s() - 89.6).abs() < 1e-9);
    /// ```
    pub fn peak_bandwidth_gb_per_s(&self) -> f64 {
        f64::from(self.channels) * f64::from(self.bus_width_bits_per_channel) / 8.0 * self.speed_mt_per_s / 1000.0
    }
}

/// A GPU, discrete or integrated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GpuSpec {
    /// Architecture name (`Ampere`, `RDNA3`).
    pub architecture: String,
    /// Usual llama.cpp backend.
    pub backend: GpuBackend,
    /// Dedicated memory, GB (0 for integrated).
    pub vram_gb: f64,
    /// Peak memory bandwidth, GB/s.
    pub bandwidth_gb_per_s: f64,
    /// Peak non-tensor FP32, TFLOP/s.
    pub fp32_tflops: f64,
    /// Peak non-tensor FP16, TFLOP/s.
    pub fp16_tflops: f64,
    /// Dense matrix-unit FP16 (FP16 accumulate), TFLOP/s; `None` without matrix units.
    #[serde(default)]
    pub tensor_fp16_tflops: Option<f64>,
    /// PCIe generation of the host link.
    #[serde(default)]
    pub pcie_gen: Option<u32>,
    /// PCIe lanes of the host link.
    #[serde(default)]
    pub pcie_lanes: Option<u32>,
    /// Board or package power, W.
    #[serde(default)]
    pub tdp_w: Option<f64>,
    /// A laptop GPU: at the power and memory clocks laptops give it, it streams weights
    /// below its spec sheet's bandwidth, by the family's fitted `laptop_efficiency`
    /// (`System::assemble` sets it for catalog entries of class `laptop`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub mobile: bool,
}

impl GpuSpec {
    /// Peak throughput of the units llama.cpp's matrix kernels use, TFLOP/s: the matrix
    /// units when present, else the faster of vector FP16 and FP32.
    pub fn matrix_tflops(&self) -> f64 {
        self.tensor_fp16_tflops.unwrap_or(self.fp16_tflops.max(self.fp32_tflops))
    }

    /// Whether matrix units exist.
    pub fn has_matrix_units(&self) -> bool {
        self.tensor_fp16_tflops.is_some()
    }

    /// Usable host-link bandwidth per direction, GB/s: `lanes × per-lane rate`, with the
    /// PCIe per-lane rates after encoding (gen3 0.985, gen4 1.969, gen5 3.938 GB/s).
    /// Integrated GPUs have no link and return `None`.
    pub fn pcie_gb_per_s(&self) -> Option<f64> {
        let per_lane = match self.pcie_gen? {
            1 => 0.25,
            2 => 0.5,
            3 => 0.985,
            4 => 1.969,
            5 => 3.938,
            _ => 7.563,
        };
        Some(per_lane * f64::from(self.pcie_lanes?))
    }
}

/// Unified memory: how much of system memory the GPU may take.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnifiedMemory {
    /// Share of system memory the GPU may allocate (macOS: about 0.75 above 36 GB).
    pub gpu_usable_fraction: f64,
}

/// One catalog entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardwareEntry {
    /// Catalog id (kebab-case).
    pub id: String,
    /// Display name.
    pub name: String,
    /// What it is.
    pub kind: HardwareKind,
    /// Picker group.
    pub class: HardwareClass,
    /// Vendor, lower case.
    pub vendor: String,
    /// Release year.
    #[serde(default)]
    pub released: Option<u32>,
    /// Other names, including LocalScore's spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// CPU, for everything but discrete GPUs.
    #[serde(default)]
    pub cpu: Option<CpuSpec>,
    /// System memory, with a CPU.
    #[serde(default)]
    pub memory: Option<MemorySpec>,
    /// GPU, discrete or integrated.
    #[serde(default)]
    pub gpu: Option<GpuSpec>,
    /// Present when CPU and GPU share one memory.
    #[serde(default)]
    pub unified_memory: Option<UnifiedMemory>,
    /// Launch price (MSRP), USD: the card for a discrete GPU, the processor for a desktop,
    /// workstation or server CPU, the cheapest complete machine with the entry's memory for
    /// Apple machines, APU mini-PCs, laptops and phones; `None` where no public price
    /// exists. Its source is the entry's source titled `Price: …`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_usd: Option<f64>,
    /// Typical power under sustained load, W: for a CPU its package power when it runs the
    /// model alone (the sheet's TDP or base power); `None` where the entry's GPU `tdp_w`
    /// stands in (see [`HardwareEntry::sustained_power_w`]). Its source is the entry's
    /// source titled `Power: …`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_w: Option<f64>,
    /// Citations.
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// Title prefix of the source that gives an entry's [`HardwareEntry::price_usd`].
pub const PRICE_SOURCE_PREFIX: &str = "Price: ";
/// Title prefix of the source that gives an entry's [`HardwareEntry::power_w`].
pub const POWER_SOURCE_PREFIX: &str = "Power: ";

impl HardwareEntry {
    /// Typical sustained power, W: [`HardwareEntry::power_w`], else the GPU's board or
    /// package power (`gpu.tdp_w`, from the spec sheet the entry cites).
    pub fn sustained_power_w(&self) -> Option<f64> {
        self.power_w.or_else(|| self.gpu.as_ref().and_then(|g| g.tdp_w))
    }

    /// The source of [`HardwareEntry::price_usd`].
    pub fn price_source(&self) -> Option<&Source> {
        self.sources.iter().find(|s| s.title.starts_with(PRICE_SOURCE_PREFIX))
    }

    /// The source of [`HardwareEntry::sustained_power_w`]: the `Power: …` source, else
    /// (for a GPU's `tdp_w`) the entry's first source.
    pub fn power_source(&self) -> Option<&Source> {
        self.sources
            .iter()
            .find(|s| s.title.starts_with(POWER_SOURCE_PREFIX))
            .or_else(|| self.sustained_power_w().and_then(|_| self.sources.first()))
    }
}
