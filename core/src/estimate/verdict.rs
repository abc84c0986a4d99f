//! Use cases and verdicts: is a workload interactive, background, offline or non-viable?

use serde::Serialize;

/// A reference workload from the domain notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UseCase {
    /// `UC1` … `UC4`.
    pub id: &'static str,
    /// Typical tasks.
    pub task: &'static str,
    /// Prompt tokens.
    pub prompt_tokens: u32,
    /// Generated tokens.
    pub gen_tokens: u32,
}

/// The four reference use cases.
pub const USE_CASES: [UseCase; 4] = [
    UseCase { id: "UC1", task: "classification, sentiment, keyword extraction", prompt_tokens: 1024, gen_tokens: 16 },
    UseCase { id: "UC2", task: "long document Q&A, RAG, summary of a long text", prompt_tokens: 4096, gen_tokens: 256 },
    UseCase {
        id: "UC3",
        task: "reasoning, chain-of-thought, long-form writing, code",
        prompt_tokens: 1280,
        gen_tokens: 3072,
    },
    UseCase {
        id: "UC4",
        task: "prompt expansion, explanations, creative writing, code",
        prompt_tokens: 384,
        gen_tokens: 1152,
    },
];

/// Interactive: the prompt is processed in under this many seconds …
pub const INTERACTIVE_TTFT_S: f64 = 3.0;
/// … and output comes faster than this many token/s.
pub const INTERACTIVE_TG_TOKENS_PER_S: f64 = 10.0;
/// Background: prompt plus generation finish within this many seconds.
pub const BACKGROUND_TOTAL_S: f64 = 300.0;
/// Offline: finishes within this many seconds (8 hours, overnight).
pub const OFFLINE_TOTAL_S: f64 = 8.0 * 3600.0;

/// How usable a workload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// TTFT < 3 s and generation > 10 token/s.
    Interactive,
    /// Done within 300 s.
    Background,
    /// Done within 8 hours; needs a progress indicator.
    Offline,
    /// Slower than that, or the model does not fit.
    NonViable,
}

impl Verdict {
    /// Classifies from time to first token (s), generation speed (token/s), total time (s)
    /// and whether the model fits.
    pub fn classify(ttft_s: f64, tg_tokens_per_s: f64, total_s: f64, fits: bool) -> Verdict {
        if !fits {
            Verdict::NonViable
        } else if ttft_s < INTERACTIVE_TTFT_S && tg_tokens_per_s > INTERACTIVE_TG_TOKENS_PER_S {
            Verdict::Interactive
        } else if total_s <= BACKGROUND_TOTAL_S {
            Verdict::Background
        } else if total_s <= OFFLINE_TOTAL_S {
            Verdict::Offline
        } else {
            Verdict::NonViable
        }
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Interactive => "interactive",
            Verdict::Background => "background",
            Verdict::Offline => "offline",
            Verdict::NonViable => "non-viable",
        }
    }
}

/// The verdict for one use case, with the verdicts at both ends of the error band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UseCaseVerdict {
    /// Use case id.
    pub use_case: &'static str,
    /// Verdict at the central estimate.
    pub verdict: Verdict,
    /// `true` when the pessimistic and optimistic ends of the error band agree with it.
    pub certain: bool,
    /// Time to first token at the central estimate, ms.
    pub time_to_first_token_ms: f64,
    /// Generation speed at the central estimate, token/s.
    pub generation_tokens_per_s: f64,
    /// Total time at the central estimate, s.
    pub total_time_s: f64,
}
