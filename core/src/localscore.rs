//! LocalScore's nine tests and its score, predicted.
//!
//! LocalScore reports the mean of the nine tests' prompt speeds, generation speeds and
//! times to first token, and `score = 10 × ∛(avg_pp × avg_tg × 1000 / avg_ttft_ms)`.
//!
//! Its time to first token runs from the start of the prompt to the end of the first
//! generation step after it (it decodes one more token rather than sampling from the
//! prompt's logits), so a test's TTFT is the prompt time plus one generation step at the
//! prompt's context.

use serde::Serialize;

use crate::efficiency::Efficiency;
use crate::estimate::{estimate, EstimateError};
use crate::model::ModelSpec;
use crate::quant::QuantScheme;
use crate::system::System;
use crate::workload::Workload;

/// The nine `(prompt, generated)` pairs LocalScore runs.
pub const TESTS: [(u32, u32); 9] = [
    (1024, 16),
    (4096, 256),
    (2048, 256),
    (2048, 768),
    (1024, 1024),
    (1280, 3072),
    (384, 1152),
    (64, 1024),
    (16, 1536),
];

/// One predicted test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestResult {
    /// Prompt tokens.
    pub prompt_tokens: u32,
    /// Generated tokens.
    pub gen_tokens: u32,
    /// Prompt speed, token/s.
    pub prompt_tokens_per_s: f64,
    /// Generation speed, token/s.
    pub generation_tokens_per_s: f64,
    /// Time to first token as LocalScore times it, ms: prompt time plus the first
    /// generation step.
    pub time_to_first_token_ms: f64,
}

/// The nine tests, their averages and the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalScore {
    /// Per-test predictions.
    pub tests: Vec<TestResult>,
    /// Mean prompt speed, token/s.
    pub avg_prompt_tokens_per_s: f64,
    /// Mean generation speed, token/s.
    pub avg_generation_tokens_per_s: f64,
    /// Mean time to first token, ms.
    pub avg_time_to_first_token_ms: f64,
    /// `10 × ∛(avg_pp × avg_tg × 1000 / avg_ttft_ms)`.
    pub score: f64,
    /// Whether the model fits in every test.
    pub fits: bool,
}

impl LocalScore {
    /// The score's formula, then the same with this prediction's averages substituted.
    ///
    /// ```
    /// let s = roofline_core::localscore::LocalScore {
    ///     tests: Vec::new(), avg_prompt_tokens_per_s: 3552.0, avg_generation_tokens_per_s: 103.0,
    ///     avg_time_to_first_token_ms: 358.0, score: 1008.0, fits: true,
    /// };
    /// assert_eq!(s.formula().1, "10 × ∛(3552 token/s × 103 token/s × 1000 / 358 ms) = 1008");
    /// ```
    pub fn formula(&self) -> (&'static str, String) {
        use crate::units::sig;
        (
            "score = 10 × ∛(mean PP × mean TG × 1000 / mean TTFT in ms), means over the nine tests",
            format!(
                "10 × ∛({} token/s × {} token/s × 1000 / {} ms) = {:.0}",
                sig(self.avg_prompt_tokens_per_s),
                sig(self.avg_generation_tokens_per_s),
                sig(self.avg_time_to_first_token_ms),
                self.score
            ),
        )
    }
}

/// LocalScore's formula from the three averages.
///
/// ```
/// // RTX 3090, Llama 3.1 8B: LocalScore printed 1008 for these averages.
/// let s = roofline_core::localscore::score(3552.0, 103.0, 358.0);
/// assert!((s - 1008.0).abs() < 2.0);
/// ```
pub fn score(avg_pp_tokens_per_s: f64, avg_tg_tokens_per_s: f64, avg_ttft_ms: f64) -> f64 {
    10.0 * (avg_pp_tokens_per_s * avg_tg_tokens_per_s * 1000.0 / avg_ttft_ms).cbrt()
}

/// Predicts the nine tests with `base`'s placement, KV type and batch.
pub fn predict(
    system: &System,
    model: &ModelSpec,
    quant: QuantScheme,
    base: &Workload,
    eff: &Efficiency,
) -> Result<LocalScore, EstimateError> {
    let mut tests = Vec::with_capacity(TESTS.len());
    let mut fits = true;
    for (prompt, gen) in TESTS {
        let w = Workload {
            prompt_tokens: prompt,
            gen_tokens: gen,
            context_depth: 0,
            context_tokens: None,
            speculative: None,
            ..base.clone()
        };
        let e = estimate(system, model, quant, &w, eff)?;
        fits &= e.fits;
        tests.push(TestResult {
            prompt_tokens: prompt,
            gen_tokens: gen,
            prompt_tokens_per_s: e.prompt_tokens_per_s,
            generation_tokens_per_s: e.generation_tokens_per_s,
            time_to_first_token_ms: e.time_to_first_token_ms + 1e3 / e.generation_tokens_per_s_at_start,
        });
    }
    let n = tests.len() as f64;
    let avg_pp = tests.iter().map(|t| t.prompt_tokens_per_s).sum::<f64>() / n;
    let avg_tg = tests.iter().map(|t| t.generation_tokens_per_s).sum::<f64>() / n;
    let avg_ttft = tests.iter().map(|t| t.time_to_first_token_ms).sum::<f64>() / n;
    Ok(LocalScore {
        tests,
        avg_prompt_tokens_per_s: avg_pp,
        avg_generation_tokens_per_s: avg_tg,
        avg_time_to_first_token_ms: avg_ttft,
        score: score(avg_pp, avg_tg, avg_ttft),
        fits,
    })
}
