//! "What can I run?": every catalog model in the quantizations people download, on the
//! calculator's machine, for one use case — where it goes, how much context fits, how fast
//! it is and whether that is good enough. Rows come from `roofline_core::plan` (the same
//! figures `roofline plan` and `roofline estimate` print); sorting and filtering from
//! `roofline_core::plan::view`; the page's state is in the share link.

use std::sync::Arc;

use leptos::prelude::*;
use roofline_core::plan::view::{parse_verdict, task, use_case_workload, PlanColumn, PlanView, SizeClass, VERDICTS};
use roofline_core::plan::{context_limit, plan_row_without_context, quants_of, Fit, PlanRow};
use roofline_core::scenario::ModelChoice;
use roofline_core::share::{encode, Page};
use roofline_core::system::System;
use roofline_core::workload::{Placement, Workload};

use crate::machine_bar::MachineBar;
use crate::plan_table::{heading, row_html};
use crate::task_select::TaskSelect;
use roofline_app::browser;
use roofline_app::state::{catalog, efficiency, use_store};

/// The table's rows, and the placement each was estimated with (the largest context is
/// tried there).
#[derive(Default, PartialEq)]
struct Planned {
    rows: Vec<PlanRow>,
    placements: Vec<Placement>,
}

/// The largest contexts of the rows `of` (by identity), once computed.
#[derive(Default, Clone)]
struct Contexts {
    of: Option<Arc<Planned>>,
    limits: Vec<Option<u32>>,
}

impl Contexts {
    /// The limit of row `i` of `rows`, if computed for those rows.
    fn get(&self, rows: &Arc<Planned>, i: usize) -> Option<u32> {
        self.of.as_ref().filter(|of| Arc::ptr_eq(of, rows)).and_then(|_| self.limits.get(i).copied().flatten())
    }
}

/// Rows per task while the largest contexts are computed after the paint.
const CONTEXT_ROWS_PER_TASK: usize = 48;

/// The family of the model of `row`.
fn family_of(row: &PlanRow) -> &'static str {
    catalog().model(&row.model_id).map_or("", |m| m.family.as_str())
}

/// Every model's families, sorted, once.
fn families() -> Vec<&'static str> {
    let mut f: Vec<&'static str> = catalog().models.iter().map(|m| m.family.as_str()).collect();
    f.sort_unstable();
    f.dedup();
    f
}

/// Fills `contexts` for `planned` a few rows per task, unless `generation` moves on (the
/// rows changed); the signal is set once, at the end.
fn fill_contexts(
    planned: Arc<Planned>,
    system: System,
    workload: Workload,
    generation: StoredValue<u32>,
    contexts: RwSignal<Contexts>,
) {
    let mine = generation.get_value();
    let mut done: Vec<Option<u32>> = Vec::with_capacity(planned.rows.len());
    let step = move || -> bool {
        if generation.get_value() != mine {
            return true;
        }
        let start = done.len();
        for (row, placement) in planned.rows.iter().zip(&planned.placements).skip(start).take(CONTEXT_ROWS_PER_TASK) {
            done.push(catalog().model(&row.model_id).ok().map(|m| {
                if row.fits == Fit::DoesNotFit {
                    0
                } else {
                    context_limit(&system, m, row.quant, &workload, *placement, efficiency())
                }
            }));
        }
        if done.len() >= planned.rows.len() {
            contexts.set(Contexts { of: Some(planned.clone()), limits: std::mem::take(&mut done) });
            return true;
        }
        false
    };
    fn again(mut step: impl FnMut() -> bool + 'static) {
        gloo_timers::callback::Timeout::new(0, move || {
            if !step() {
                again(step);
            }
        })
        .forget();
    }
    again(step);
}

/// The page.
#[component]
pub fn Plan() -> impl IntoView {
    let store = use_store();
    let view_state = Memo::new(move |_| store.state.with(|s| s.plan.clone()));
    let use_case = Memo::new(move |_| view_state.with(|v| v.use_case));
    let workload = Memo::new(move |_| store.state.with(|s| use_case_workload(&s.main.workload, use_case.get())));
    let rows: Memo<Arc<Planned>> = Memo::new(move |_| {
        let t0 = browser::now_ms();
        let w = workload.get();
        let mut out = Planned::default();
        store.system.with(|system| {
            let Some(system) = system else { return };
            for m in &catalog().models {
                for q in quants_of(m) {
                    if let Some((row, placement)) = plan_row_without_context(system, m, q, &w, efficiency()) {
                        out.rows.push(row);
                        out.placements.push(placement);
                    }
                }
            }
        });
        browser::record_ms("plan-rows", browser::now_ms() - t0);
        Arc::new(out)
    });
    let contexts = RwSignal::new(Contexts::default());
    let generation = StoredValue::new(0u32);
    Effect::new(move |_| {
        let planned = rows.get();
        generation.update_value(|g| *g = g.wrapping_add(1));
        let w = workload.get_untracked();
        if let Some(system) = store.system.get_untracked() {
            browser::after_paint(move || fill_contexts(planned, system, w, generation, contexts));
        }
    });
    // The machine's power (its parts', or the user's under running costs) and the
    // electricity price, for each row's electricity per million tokens.
    let power = Memo::new(move |_| {
        store.state.with(|s| {
            let parts = roofline_core::cost::inputs::machine_cost(catalog(), &s.main.hardware);
            s.cost.power_w.or(parts.power_w).map(|w| (w, s.cost.electricity_usd_per_kwh))
        })
    });
    let tbody = NodeRef::<leptos::html::Div>::new();
    let shown = RwSignal::new(0usize);
    // The body as one string, written in one go; links carry the calculator's state with
    // the row's model, quantization and use case.
    Effect::new(move |_| {
        let t0 = browser::now_ms();
        let Some(body) = tbody.get() else { return };
        let rows = rows.get();
        let contexts = contexts.get();
        let view = view_state.get();
        let workload = workload.get();
        let base = store.state.with_untracked(|s| s.clone());
        let power = power.get();
        let order = view.order(&rows.rows, |r| family_of(r));
        let mut html = String::with_capacity(order.len() * 600);
        for i in &order {
            let row = &rows.rows[*i];
            let mut state = base.clone();
            state.page = Page::Calculator;
            state.main.model = ModelChoice::Preset(row.model_id.clone());
            state.main.quant = Some(row.quant);
            state.main.workload = workload.clone();
            let href = format!("#{}", encode(&state));
            row_html(&mut html, row, &href, contexts.get(&rows, *i), power);
        }
        body.set_inner_html(&html);
        shown.set(order.len());
        browser::record_ms("plan-paint", browser::now_ms() - t0);
        browser::counted("rooflinePlanPaints");
    });
    let set_view = move |f: Box<dyn FnOnce(&mut PlanView)>| store.state.update(|s| f(&mut s.plan));
    let header = move |c: PlanColumn| {
        let sorted = move || view_state.with(|v| (v.sort == c).then_some(v.descending));
        view! {
            <div role="columnheader" data-col=c.id() aria-sort=move || match sorted() {
                Some(true) => "descending",
                Some(false) => "ascending",
                None => "none",
            }>
                <button
                    class="sort"
                    data-testid=format!("planner-sort-{}", c.id())
                    on:click=move |_| store.state.update(|s| s.plan = s.plan.clicked(c))
                >
                    {heading(c)}
                    {move || match sorted() {
                        Some(true) => " ↓",
                        Some(false) => " ↑",
                        None => "",
                    }}
                </button>
            </div>
        }
    };
    let total = move || rows.with(|r| r.rows.len());
    view! {
        <div class="planner" data-testid="planner-run">
            <section class="card">
                <h2>"What can I run?"</h2>
                <p class="hint">
                    "Every catalog model in the quantizations people download, on this machine, with the calculator's runtime. "
                    "A model's name opens it in the calculator."
                </p>
                <MachineBar testid="plan-hardware" />
                <div class="row filters">
                    <TaskSelect
                        testid="planner-use-case"
                        selected=use_case
                        on_pick=move |i: usize| set_view(Box::new(move |v| v.use_case = i))
                    />
                    <label class="check">
                        <input
                            type="checkbox"
                            data-testid="planner-fits-only"
                            prop:checked=move || view_state.with(|v| v.fits_only)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                set_view(Box::new(move |v| v.fits_only = on));
                            }
                        />
                        "Fits only"
                    </label>
                    <label class="field">
                        <span class="label">"Family"</span>
                        <select data-testid="planner-family" on:change=move |ev| {
                            let f = event_target_value(&ev);
                            set_view(Box::new(move |v| v.family = (!f.is_empty()).then_some(f)));
                        }>
                            <option value="" selected=move || view_state.with(|v| v.family.is_none())>"every family"</option>
                            {families()
                                .into_iter()
                                .map(|f| view! {
                                    <option value=f selected=move || view_state.with(|v| v.family.as_deref() == Some(f))>{f}</option>
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="label">"Size"</span>
                        <select data-testid="planner-size" on:change=move |ev| {
                            let s = SizeClass::parse(&event_target_value(&ev)).unwrap_or_default();
                            set_view(Box::new(move |v| v.size = s));
                        }>
                            {SizeClass::ALL
                                .into_iter()
                                .map(|c| view! {
                                    <option value=c.id() selected=move || view_state.with(|v| v.size == c)>{c.label()}</option>
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="label">"Verdict"</span>
                        <select data-testid="planner-verdict" on:change=move |ev| {
                            let x = parse_verdict(&event_target_value(&ev));
                            set_view(Box::new(move |v| v.verdict = x));
                        }>
                            <option value="" selected=move || view_state.with(|v| v.verdict.is_none())>"any verdict"</option>
                            {VERDICTS[..3]
                                .iter()
                                .map(|&x| view! {
                                    <option value=x.name() selected=move || view_state.with(|v| v.verdict == Some(x))>
                                        {format!("{} or better", x.name())}
                                    </option>
                                })
                                .collect_view()}
                        </select>
                    </label>
                </div>
                <p class="summary" data-testid="planner-count" aria-live="polite">
                    {move || format!("{} of {} rows", shown.get(), total())}
                </p>
                <p class="hint" id="plan-caption">
                    {move || {
                        let u = task(use_case.get());
                        let electricity = match power.get() {
                            Some((w, price)) => format!(" Electricity per million generated tokens for {} W at ${price}/kWh (set under the calculator's running costs).", roofline_app::fmt::sig(w)),
                            None => " The machine's power is unknown: give it under the calculator's running costs for the electricity column.".to_owned(),
                        };
                        format!("{} prompt tokens → {} generated, one request at a time; — where the model does not fit.{electricity}", u.prompt_tokens, u.gen_tokens)
                    }}
                </p>
                <div class="ptable" role="table" aria-describedby="plan-caption" aria-label="What can I run?">
                    <div role="rowgroup" class="phead">
                        <div role="row" class="prow head">
                            {PlanColumn::ALL.into_iter().map(header).collect_view()}
                            <div role="columnheader" class="plain">"Electricity per M tokens"</div>
                        </div>
                    </div>
                    <div role="rowgroup" node_ref=tbody data-testid="planner-body"></div>
                </div>
            </section>
        </div>
    }
    .into_any()
}
