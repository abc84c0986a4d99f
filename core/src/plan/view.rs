//! What the planner pages show of their rows: the use case, the sort column and direction,
//! the filters ("What can I run?"), and the target, context and budget ("What should I
//! buy?"). Pure state and ordering, shared by the site's pages and its share links
//! (`crate::share`).

use serde::{Deserialize, Serialize};

use super::{Fit, PlanRow};
use crate::estimate::verdict::{UseCase, Verdict, USE_CASES};
use crate::shop::Target;
use crate::workload::Workload;

/// A column of the "What can I run?" table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanColumn {
    /// Model name (catalog order within a name).
    Model,
    /// Quantization, by the file's bits per weight.
    Quant,
    /// Model file size.
    Size,
    /// Where it goes (on GPU first).
    Fits,
    /// Largest context that fits.
    Context,
    /// Prompt speed.
    Prompt,
    /// Time to first token (shortest first).
    Ttft,
    /// Generation speed.
    #[default]
    Generation,
    /// Verdict (interactive first).
    Verdict,
}

impl PlanColumn {
    /// Every column, in table order.
    pub const ALL: [PlanColumn; 9] = [
        PlanColumn::Model,
        PlanColumn::Quant,
        PlanColumn::Size,
        PlanColumn::Fits,
        PlanColumn::Context,
        PlanColumn::Prompt,
        PlanColumn::Ttft,
        PlanColumn::Generation,
        PlanColumn::Verdict,
    ];

    /// The name in links and `data-testid`s.
    pub fn id(self) -> &'static str {
        match self {
            PlanColumn::Model => "model",
            PlanColumn::Quant => "quant",
            PlanColumn::Size => "size",
            PlanColumn::Fits => "fits",
            PlanColumn::Context => "context",
            PlanColumn::Prompt => "prompt",
            PlanColumn::Ttft => "ttft",
            PlanColumn::Generation => "generation",
            PlanColumn::Verdict => "verdict",
        }
    }

    /// The column whose id is `text`.
    pub fn parse(text: &str) -> Option<PlanColumn> {
        PlanColumn::ALL.into_iter().find(|c| c.id() == text)
    }

    /// The direction a first click sorts in: best first (fastest, shortest wait, largest
    /// context, on GPU, interactive), names A–Z, sizes small first.
    pub fn descending_first(self) -> bool {
        matches!(self, PlanColumn::Context | PlanColumn::Prompt | PlanColumn::Generation)
    }
}

/// Model sizes the table can be narrowed to, by total parameters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeClass {
    /// Every size.
    #[default]
    All,
    /// Under 4 B parameters.
    Tiny,
    /// 4–15 B.
    Small,
    /// 15–40 B.
    Medium,
    /// 40–150 B.
    Large,
    /// 150 B and more.
    Huge,
}

impl SizeClass {
    /// Every class, in menu order.
    pub const ALL: [SizeClass; 6] =
        [SizeClass::All, SizeClass::Tiny, SizeClass::Small, SizeClass::Medium, SizeClass::Large, SizeClass::Huge];

    /// The name in links.
    pub fn id(self) -> &'static str {
        match self {
            SizeClass::All => "all",
            SizeClass::Tiny => "lt4",
            SizeClass::Small => "4-15",
            SizeClass::Medium => "15-40",
            SizeClass::Large => "40-150",
            SizeClass::Huge => "150+",
        }
    }

    /// Words for the menu.
    pub fn label(self) -> &'static str {
        match self {
            SizeClass::All => "any size",
            SizeClass::Tiny => "under 4 B parameters",
            SizeClass::Small => "4–15 B",
            SizeClass::Medium => "15–40 B",
            SizeClass::Large => "40–150 B",
            SizeClass::Huge => "150 B and more",
        }
    }

    /// The class whose id is `text`.
    pub fn parse(text: &str) -> Option<SizeClass> {
        SizeClass::ALL.into_iter().find(|c| c.id() == text)
    }

    /// Whether a model of `params_b` billion parameters is in the class.
    pub fn holds(self, params_b: f64) -> bool {
        let (lo, hi) = match self {
            SizeClass::All => return true,
            SizeClass::Tiny => (0.0, 4.0),
            SizeClass::Small => (4.0, 15.0),
            SizeClass::Medium => (15.0, 40.0),
            SizeClass::Large => (40.0, 150.0),
            SizeClass::Huge => (150.0, f64::INFINITY),
        };
        params_b >= lo && params_b < hi
    }
}

/// The verdicts a user can filter on, best first.
pub const VERDICTS: [Verdict; 4] = [Verdict::Interactive, Verdict::Background, Verdict::Offline, Verdict::NonViable];

/// The verdict whose name is `text`.
pub fn parse_verdict(text: &str) -> Option<Verdict> {
    VERDICTS.into_iter().find(|v| v.name() == text)
}

/// What the "What can I run?" page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanView {
    /// The task: an index of [`task`].
    pub use_case: usize,
    /// Sort column.
    pub sort: PlanColumn,
    /// Largest first.
    pub descending: bool,
    /// Only rows that fit (on GPU, partly offloaded or CPU only).
    pub fits_only: bool,
    /// Only models of this family (`llama`, `qwen3`, …).
    pub family: Option<String>,
    /// Only models of this size.
    pub size: SizeClass,
    /// Only rows with this verdict or a better one.
    pub verdict: Option<Verdict>,
}

impl Default for PlanView {
    fn default() -> Self {
        PlanView {
            use_case: 0,
            sort: PlanColumn::Generation,
            descending: true,
            fits_only: false,
            family: None,
            size: SizeClass::All,
            verdict: None,
        }
    }
}

/// What the planner estimates for: one of the four use cases or one of LocalScore's nine
/// tests (a prompt and an output length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    /// `uc1` … `uc4`, `ls1` … `ls9` (in links and `roofline plan --use-case`).
    pub id: &'static str,
    /// Words for a menu.
    pub label: &'static str,
    /// Prompt tokens.
    pub prompt_tokens: u32,
    /// Generated tokens.
    pub gen_tokens: u32,
}

/// LocalScore's nine tests as tasks (their ids and the lengths of
/// [`crate::localscore::TESTS`]).
const LOCALSCORE_IDS: [&str; 9] = ["ls1", "ls2", "ls3", "ls4", "ls5", "ls6", "ls7", "ls8", "ls9"];

/// Ids of the use cases in links (lower case).
const USE_CASE_IDS: [&str; 4] = ["uc1", "uc2", "uc3", "uc4"];

/// The tasks a planner page offers: UC1–UC4, then LocalScore's tests 1–9.
pub const TASK_COUNT: usize = USE_CASES.len() + LOCALSCORE_IDS.len();

/// Task `index` (the first where out of range).
pub fn task(index: usize) -> Task {
    if let Some(u) = USE_CASES.get(index) {
        return Task {
            id: USE_CASE_IDS[index],
            label: u.task,
            prompt_tokens: u.prompt_tokens,
            gen_tokens: u.gen_tokens,
        };
    }
    match (LOCALSCORE_IDS.get(index - USE_CASES.len()), crate::localscore::TESTS.get(index - USE_CASES.len())) {
        (Some(id), Some(&(prompt_tokens, gen_tokens))) => {
            Task { id, label: "LocalScore test", prompt_tokens, gen_tokens }
        }
        _ => task(0),
    }
}

/// The use case at `index` (the first where out of range).
pub fn use_case(index: usize) -> &'static UseCase {
    USE_CASES.get(index).unwrap_or(&USE_CASES[0])
}

/// The index of the task whose id is `text` (`uc2`, `UC2`, `ls7`).
pub fn parse_use_case(text: &str) -> Option<usize> {
    (0..TASK_COUNT).find(|&i| task(i).id.eq_ignore_ascii_case(text))
}

/// `base` (the calculator's workload: runtime, KV type, OS, placement) with the prompt and
/// output lengths of use case `index` and no speculative decoding, as `roofline plan` and
/// `roofline shop` build it.
pub fn use_case_workload(base: &Workload, index: usize) -> Workload {
    let uc = task(index);
    Workload {
        prompt_tokens: uc.prompt_tokens,
        gen_tokens: uc.gen_tokens,
        context_depth: 0,
        context_tokens: None,
        batch: 1,
        speculative: None,
        ..base.clone()
    }
}

/// A figure for sorting: rows that do not fit have none and sort last either way.
fn figure(row: &PlanRow, column: PlanColumn) -> Option<f64> {
    let fits = row.fits != Fit::DoesNotFit;
    match column {
        PlanColumn::Size => Some(row.model_size_gb),
        // Bits per weight as the file stores them.
        PlanColumn::Quant => Some(row.model_size_gb / row.params_b.max(1e-9)),
        PlanColumn::Context => fits.then_some(f64::from(row.max_context_tokens)),
        PlanColumn::Prompt => fits.then_some(row.prompt_tokens_per_s),
        PlanColumn::Ttft => fits.then_some(row.time_to_first_token_ms),
        PlanColumn::Generation => fits.then_some(row.generation_tokens_per_s),
        PlanColumn::Fits => Some(row.fits as u8 as f64),
        PlanColumn::Verdict => Some(row.verdict as u8 as f64),
        PlanColumn::Model => None,
    }
}

impl PlanView {
    /// Whether `row` passes the filters; `family` is the row's model family.
    pub fn keeps(&self, row: &PlanRow, family: &str) -> bool {
        (!self.fits_only || row.fits != Fit::DoesNotFit)
            && self.family.as_deref().is_none_or(|f| f == family)
            && self.size.holds(row.params_b)
            && self.verdict.is_none_or(|v| row.verdict <= v)
    }

    /// The indices of `rows` that pass the filters, in the view's order (ties keep catalog
    /// order). `family_of` gives a row's model family.
    pub fn order(&self, rows: &[PlanRow], family_of: impl Fn(&PlanRow) -> &str) -> Vec<usize> {
        let mut kept: Vec<usize> = (0..rows.len()).filter(|&i| self.keeps(&rows[i], family_of(&rows[i]))).collect();
        let (column, descending) = (self.sort, self.descending);
        kept.sort_by(|&a, &b| {
            let (ra, rb) = (&rows[a], &rows[b]);
            if column == PlanColumn::Model {
                let o = ra.model_name.to_lowercase().cmp(&rb.model_name.to_lowercase());
                return if descending { o.reverse() } else { o };
            }
            match (figure(ra, column), figure(rb, column)) {
                (Some(x), Some(y)) => {
                    let o = x.total_cmp(&y);
                    if descending {
                        o.reverse()
                    } else {
                        o
                    }
                }
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
        });
        kept
    }

    /// The view after a click on `column`'s header: the other direction when it is the
    /// sort column already, else that column in its natural direction.
    pub fn clicked(&self, column: PlanColumn) -> PlanView {
        let descending = if self.sort == column { !self.descending } else { column.descending_first() };
        PlanView { sort: column, descending, ..self.clone() }
    }
}

/// Machines the "What should I buy?" table can be narrowed to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MachineKind {
    /// Every machine.
    #[default]
    All,
    /// CPUs alone.
    Cpu,
    /// Apple machines, APUs and phones: one chip with unified memory.
    Unified,
    /// Discrete GPUs on a host.
    Gpu,
}

impl MachineKind {
    /// Every kind, in menu order.
    pub const ALL: [MachineKind; 4] = [MachineKind::All, MachineKind::Cpu, MachineKind::Unified, MachineKind::Gpu];

    /// The name in links.
    pub fn id(self) -> &'static str {
        match self {
            MachineKind::All => "all",
            MachineKind::Cpu => "cpu",
            MachineKind::Unified => "unified",
            MachineKind::Gpu => "gpu",
        }
    }

    /// Words for the menu.
    pub fn label(self) -> &'static str {
        match self {
            MachineKind::All => "every machine",
            MachineKind::Cpu => "CPUs alone",
            MachineKind::Unified => "Apple, APUs and phones",
            MachineKind::Gpu => "discrete GPUs",
        }
    }

    /// The kind whose id is `text`.
    pub fn parse(text: &str) -> Option<MachineKind> {
        MachineKind::ALL.into_iter().find(|k| k.id() == text)
    }

    /// Whether a machine of catalog kind `kind` with `gpus` discrete GPUs is of this kind.
    pub fn holds(self, kind: crate::hardware::HardwareKind, gpus: u32) -> bool {
        use crate::hardware::HardwareKind as K;
        match self {
            MachineKind::All => true,
            MachineKind::Cpu => gpus == 0 && kind == K::Cpu,
            MachineKind::Unified => gpus == 0 && matches!(kind, K::Apu | K::Apple | K::Phone),
            MachineKind::Gpu => gpus > 0,
        }
    }
}

/// What the "What should I buy?" page asks for (the model and quantization are the
/// calculator's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuyView {
    /// The task (an index of [`task`]): the prompt and output lengths.
    pub use_case: usize,
    /// What a machine must reach.
    pub target: Target,
    /// Context the KV cache is sized for, tokens (`None`: prompt + output).
    pub context_tokens: Option<u32>,
    /// Most a machine may cost, USD.
    pub budget_usd: Option<f64>,
    /// Only machines of this kind.
    pub kind: MachineKind,
}

impl Default for BuyView {
    fn default() -> Self {
        BuyView {
            use_case: 0,
            target: Target::Verdict { verdict: Verdict::Interactive },
            context_tokens: None,
            budget_usd: None,
            kind: MachineKind::All,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::QuantScheme;

    fn row(name: &str, fits: Fit, tg: f64, params_b: f64, verdict: Verdict) -> PlanRow {
        PlanRow {
            model_id: name.to_lowercase(),
            model_name: name.to_owned(),
            params_b,
            quant: QuantScheme::Q4_K_M,
            model_size_gb: params_b * 0.6,
            fits,
            placement: String::new(),
            gpu_layers: 0,
            layers: 32,
            max_context_tokens: 4096,
            prompt_tokens_per_s: 10.0 * tg,
            time_to_first_token_ms: 1000.0 / tg,
            generation_tokens_per_s: tg,
            verdict,
        }
    }

    fn rows() -> Vec<PlanRow> {
        vec![
            row("B", Fit::Gpu, 50.0, 8.0, Verdict::Interactive),
            row("A", Fit::DoesNotFit, 900.0, 400.0, Verdict::NonViable),
            row("C", Fit::CpuOnly, 5.0, 1.0, Verdict::Background),
            row("D", Fit::Partial, 12.0, 30.0, Verdict::Interactive),
        ]
    }

    #[test]
    fn sorts_best_first_and_rows_that_do_not_fit_last() {
        let rows = rows();
        let v = PlanView::default();
        assert_eq!(v.order(&rows, |_| "llama"), vec![0, 3, 2, 1]);
        let up = v.clicked(PlanColumn::Generation);
        assert!(!up.descending);
        assert_eq!(up.order(&rows, |_| "llama"), vec![2, 3, 0, 1]);
        let by_name = v.clicked(PlanColumn::Model);
        assert_eq!(by_name.order(&rows, |_| "llama"), vec![1, 0, 2, 3]);
        let ttft = v.clicked(PlanColumn::Ttft);
        assert_eq!(ttft.order(&rows, |_| "llama"), vec![0, 3, 2, 1]);
    }

    #[test]
    fn filters_combine() {
        let rows = rows();
        let fits = PlanView { fits_only: true, ..PlanView::default() };
        assert_eq!(fits.order(&rows, |_| "llama").len(), 3);
        let interactive = PlanView { verdict: Some(Verdict::Interactive), ..PlanView::default() };
        assert_eq!(interactive.order(&rows, |_| "llama"), vec![0, 3]);
        let background = PlanView { verdict: Some(Verdict::Background), ..PlanView::default() };
        assert_eq!(background.order(&rows, |_| "llama"), vec![0, 3, 2]);
        let small = PlanView { size: SizeClass::Small, ..PlanView::default() };
        assert_eq!(small.order(&rows, |_| "llama"), vec![0]);
        let family = PlanView { family: Some("qwen3".into()), ..PlanView::default() };
        assert_eq!(family.order(&rows, |r| if r.model_name == "C" { "qwen3" } else { "llama" }), vec![2]);
    }

    #[test]
    fn use_cases_parse_and_set_the_lengths() {
        assert_eq!(parse_use_case("uc3"), Some(2));
        assert_eq!(parse_use_case("UC5"), None);
        let ls6 = parse_use_case("ls6").map(task);
        assert_eq!(ls6.map(|t| (t.prompt_tokens, t.gen_tokens)), Some((1280, 3072)));
        assert_eq!(task(TASK_COUNT).id, "uc1");
        let w = use_case_workload(&Workload { batch: 4, ..Workload::default() }, 1);
        assert_eq!((w.prompt_tokens, w.gen_tokens, w.batch), (4096, 256, 1));
        assert_eq!(use_case(9).id, "UC1");
    }
}
