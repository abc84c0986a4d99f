//! Why a probe or a model run on the GPU stopped.

use serde::{Deserialize, Serialize};

use crate::kind::ProbeKind;

/// Why a probe stopped.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum ProbeError {
    /// The caller cancelled.
    #[error("cancelled")]
    Cancelled,
    /// The device was lost (driver reset, another tab, a test hook).
    #[error("the GPU device was lost: {0}")]
    DeviceLost(String),
    /// An allocation failed; a smaller working set may work.
    #[error("the GPU could not allocate {bytes} bytes")]
    OutOfMemory {
        /// Bytes asked for.
        bytes: u64,
    },
    /// The GPU's result differs from the CPU's: the figure would be wrong.
    #[error("{kind:?} check failed: {detail}")]
    CheckFailed {
        /// The probe.
        kind: ProbeKind,
        /// What differed.
        detail: String,
    },
    /// Any other GPU error.
    #[error("GPU error: {0}")]
    Gpu(String),
    /// The adapter cannot run this probe.
    #[error("not supported here: {0}")]
    Unsupported(String),
    /// A model file that cannot be read or run: what and where.
    #[error("the model file: {0}")]
    Model(String),
}
