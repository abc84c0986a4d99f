//! Components: each wires signals to the core and renders what the core returns.

pub mod accuracy;
pub mod energy;
pub mod explain;
pub mod fields;
pub mod hardware;
pub mod later;
pub mod memory;
pub mod model;
pub mod notices;
pub mod pickers;
pub mod results;
pub mod share;
pub mod summary;
pub mod verdicts;
pub mod workload;
