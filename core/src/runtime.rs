//! The runtime a model runs under: the inference engine and whether it uses flash
//! attention. (The GPU backend is [`crate::hardware::GpuBackend`], chosen per workload.)
//!
//! Speeds depend on the engine as much as on the hardware: the same GPU runs prompts at
//! different rates under LocalScore's llamafile build of spring 2025 and under a current
//! llama.cpp. Each engine other than the reference (LocalScore, whose runs fit the
//! families' physics) carries a small fitted profile ([`crate::efficiency::EngineFactors`]).

use serde::{Deserialize, Serialize};

/// The inference engine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Engine {
    /// llama.cpp as built from its repository today (`llama-cli`, `llama-server`,
    /// `llama-bench`, and the tools built on it).
    #[default]
    #[serde(rename = "llama.cpp")]
    LlamaCpp,
    /// LocalScore's benchmark: llamafile as LocalScore ran it in 2025.
    #[serde(rename = "localscore")]
    LocalScore,
    /// This site's own WebGPU engine ("Test this device").
    #[serde(rename = "roofline-webgpu")]
    RooflineWebgpu,
}

impl Engine {
    /// Every engine, in display order.
    pub const ALL: [Engine; 3] = [Engine::LlamaCpp, Engine::LocalScore, Engine::RooflineWebgpu];

    /// `true` for the default, [`Engine::LlamaCpp`].
    pub fn is_default(&self) -> bool {
        *self == Engine::LlamaCpp
    }

    /// Short id, as the CLI, JSON and share links write it.
    pub fn id(self) -> &'static str {
        match self {
            Engine::LlamaCpp => "llama.cpp",
            Engine::LocalScore => "localscore",
            Engine::RooflineWebgpu => "roofline-webgpu",
        }
    }

    /// Name for people.
    pub fn label(self) -> &'static str {
        match self {
            Engine::LlamaCpp => "llama.cpp",
            Engine::LocalScore => "LocalScore (llamafile, 2025)",
            Engine::RooflineWebgpu => "This site's WebGPU engine",
        }
    }

    /// Parses an id, case-insensitively (`llamacpp`, `llama-cpp` and `llamafile` too).
    pub fn parse(text: &str) -> Option<Engine> {
        match text.trim().to_ascii_lowercase().as_str() {
            "llama.cpp" | "llamacpp" | "llama-cpp" | "llama_cpp" => Some(Engine::LlamaCpp),
            "localscore" | "llamafile" => Some(Engine::LocalScore),
            "roofline-webgpu" | "webgpu" | "roofline" => Some(Engine::RooflineWebgpu),
            _ => None,
        }
    }

    /// Whether the engine's profile stands on its own: its rates are fractions of the spec
    /// sheet's bandwidth and FP32 peak, not factors on a backend family's fitted rates.
    /// This site's engine runs WGSL, which reaches no tensor cores and goes through
    /// whichever API the browser offers, so neither the family's matrix efficiency nor its
    /// backend says anything about it.
    pub fn own_profile(self) -> bool {
        self == Engine::RooflineWebgpu
    }

    /// Whether the engine uses flash attention when left to decide: current llama.cpp's
    /// `--flash-attn auto` (its default) turns it on wherever the backend has the kernel,
    /// which every backend the catalog names does; LocalScore's llamafile build and this
    /// site's engine compute attention without it.
    pub fn flash_attention_by_default(self) -> bool {
        match self {
            Engine::LlamaCpp => true,
            Engine::LocalScore | Engine::RooflineWebgpu => false,
        }
    }
}

/// Flash attention: on, off, or what the engine does by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlashAttention {
    /// What the engine does by default ([`Engine::flash_attention_by_default`]).
    #[default]
    Auto,
    /// Always on.
    On,
    /// Always off.
    Off,
}

impl FlashAttention {
    /// Every setting, in display order.
    pub const ALL: [FlashAttention; 3] = [FlashAttention::Auto, FlashAttention::On, FlashAttention::Off];

    /// `true` for the default, [`FlashAttention::Auto`].
    pub fn is_default(&self) -> bool {
        *self == FlashAttention::Auto
    }

    /// Short id (`auto`, `on`, `off`).
    pub fn id(self) -> &'static str {
        match self {
            FlashAttention::Auto => "auto",
            FlashAttention::On => "on",
            FlashAttention::Off => "off",
        }
    }

    /// Parses `auto`, `on`/`1`/`true`, `off`/`0`/`false`, case-insensitively.
    pub fn parse(text: &str) -> Option<FlashAttention> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(FlashAttention::Auto),
            "on" | "1" | "true" | "yes" => Some(FlashAttention::On),
            "off" | "0" | "false" | "no" => Some(FlashAttention::Off),
            _ => None,
        }
    }

    /// Whether attention runs as one fused kernel under `engine`.
    pub fn enabled(self, engine: Engine) -> bool {
        match self {
            FlashAttention::Auto => engine.flash_attention_by_default(),
            FlashAttention::On => true,
            FlashAttention::Off => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_back_and_auto_follows_the_engine() {
        for e in Engine::ALL {
            assert_eq!(Engine::parse(e.id()), Some(e));
            assert_eq!(serde_json::to_string(&e).ok(), Some(format!("\"{}\"", e.id())));
        }
        for f in FlashAttention::ALL {
            assert_eq!(FlashAttention::parse(f.id()), Some(f));
        }
        assert!(FlashAttention::Auto.enabled(Engine::LlamaCpp));
        assert!(!FlashAttention::Auto.enabled(Engine::LocalScore));
        assert!(FlashAttention::On.enabled(Engine::LocalScore));
        assert!(!FlashAttention::Off.enabled(Engine::LlamaCpp));
        assert_eq!(Engine::parse("Vulkan"), None);
    }
}
