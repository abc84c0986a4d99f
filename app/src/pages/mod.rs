//! Pages of the site.

pub mod calculator;
pub mod compare;
pub mod device;
pub mod planner;
