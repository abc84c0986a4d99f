//! "What should I buy?": for the calculator's model and quantization, every catalog
//! machine that meets a target — CPUs alone, Apple and APU machines, and 1, 2, 4 or 8
//! discrete GPUs on a named host — cheapest first, from `roofline_core::shop` (the rows
//! `roofline shop` prints). The page's state is in the share link.

use leptos::prelude::*;
use roofline_core::cost::DEFAULT_MEMORY_USD_PER_GB;
use roofline_core::estimate::verdict::Verdict;
use roofline_core::plan::view::{parse_verdict, task, BuyView, MachineKind};
use roofline_core::scenario::{HardwareChoice, ModelChoice};
use roofline_core::share::{encode, Page};
use roofline_core::shop::{host_for, shop, Query, Target};
use roofline_core::workload::Workload;

use crate::shop_table::row_html;
use crate::task_select::TaskSelect;
use roofline_app::components::fields::NumField;
use roofline_app::components::pickers::{ModelSelect, QuantSelect};
use roofline_app::state::{catalog, efficiency, use_store};
use roofline_app::{browser, fmt};

/// The query of `view` for a workload based on the calculator's (its KV type and runtime).
fn query_of(view: &BuyView, base: &Workload) -> Query {
    let uc = task(view.use_case);
    Query {
        workload: Workload {
            prompt_tokens: uc.prompt_tokens,
            gen_tokens: uc.gen_tokens,
            context_tokens: view.context_tokens,
            kv_type: base.kv_type,
            ..Workload::default()
        },
        target: view.target,
        budget_usd: view.budget_usd,
        memory_usd_per_gb: DEFAULT_MEMORY_USD_PER_GB,
    }
}

/// The page.
#[component]
pub fn Buy() -> impl IntoView {
    let store = use_store();
    let view_state = Memo::new(move |_| store.state.with(|s| s.buy.clone()));
    let set_view = move |f: Box<dyn FnOnce(&mut BuyView)>| store.state.update(|s| f(&mut s.buy));
    let model_id = Memo::new(move |_| {
        store.state.with(|s| match &s.main.model {
            ModelChoice::Preset(id) => Some(id.clone()),
            ModelChoice::Custom(_) => None,
        })
    });
    let quant = Memo::new(move |_| store.state.with(|s| s.main.quant));
    let default_quant =
        Memo::new(move |_| store.model.with(|m| m.as_ref().map(|m| m.default_quant.clone()).unwrap_or_default()));
    let kv = Memo::new(move |_| store.state.with(|s| s.main.workload.clone()));
    let query = Memo::new(move |_| view_state.with(|v| query_of(v, &kv.get())));
    let rows = Memo::new(move |_| {
        let t0 = browser::now_ms();
        let q = query.get();
        let out = store.model.with(|m| {
            let Some(m) = m else { return Vec::new() };
            let quant = quant.get().or_else(|| roofline_core::quant::QuantScheme::parse(&m.default_quant));
            quant.map(|quant| shop(catalog(), m, quant, &q, efficiency())).unwrap_or_default()
        });
        browser::record_ms("shop-rows", browser::now_ms() - t0);
        out
    });
    let tbody = NodeRef::<leptos::html::Div>::new();
    let shown = RwSignal::new(0usize);
    let cheapest = RwSignal::new(None::<f64>);
    Effect::new(move |_| {
        let Some(body) = tbody.get() else { return };
        let kind = view_state.with(|v| v.kind);
        let workload = query.with(|q| q.workload.clone());
        let base = store.state.with_untracked(|s| s.clone());
        let cost = store.state.with(|s| s.cost);
        let mut html = String::new();
        let mut n = 0;
        let mut first_price = None;
        rows.with(|rows| {
            for row in rows {
                let entry_kind = catalog().hardware(&row.hardware_id).map(|e| e.kind);
                if !entry_kind.is_ok_and(|k| kind.holds(k, row.gpus)) {
                    continue;
                }
                let mut state = base.clone();
                state.page = Page::Calculator;
                state.main.hardware = if row.gpus > 0 {
                    HardwareChoice::Preset {
                        id: row.hardware_id.clone(),
                        gpu: None,
                        host: row.host_id.clone(),
                        gpu_count: row.gpus,
                    }
                } else {
                    HardwareChoice::preset(&row.hardware_id)
                };
                // The shop's own workload, so the calculator shows the row's figures.
                state.main.workload = workload.clone();
                row_html(&mut html, row, &format!("#{}", encode(&state)), &cost);
                if n == 0 {
                    first_price = row.price_usd;
                }
                n += 1;
            }
        });
        body.set_inner_html(&html);
        shown.set(n);
        cheapest.set(first_price);
        browser::counted("rooflineShopPaints");
    });
    let target_id = move || match view_state.with(|v| v.target) {
        Target::Verdict { verdict } => verdict.name(),
        Target::Speeds { .. } => "speeds",
    };
    let speeds = move || view_state.with(|v| matches!(v.target, Target::Speeds { .. }));
    let set_target = move |id: String| {
        set_view(Box::new(move |v| {
            v.target = match parse_verdict(&id) {
                Some(verdict) => Target::Verdict { verdict },
                None => Target::Speeds { min_generation_tokens_per_s: 10.0, max_time_to_first_token_ms: 3000.0 },
            }
        }))
    };
    let speed = move |pick: fn(&Target) -> f64| Signal::derive(move || view_state.with(|v| pick(&v.target)));
    let min_tg = speed(|t| match t {
        Target::Speeds { min_generation_tokens_per_s, .. } => *min_generation_tokens_per_s,
        Target::Verdict { .. } => 0.0,
    });
    let max_ttft = speed(|t| match t {
        Target::Speeds { max_time_to_first_token_ms, .. } if max_time_to_first_token_ms.is_finite() => {
            *max_time_to_first_token_ms
        }
        _ => 0.0,
    });
    let set_speeds = move |tg: Option<f64>, ttft: Option<f64>| {
        set_view(Box::new(move |v| {
            if let Target::Speeds { min_generation_tokens_per_s, max_time_to_first_token_ms } = &mut v.target {
                if let Some(x) = tg {
                    *min_generation_tokens_per_s = x;
                }
                if let Some(x) = ttft {
                    *max_time_to_first_token_ms = if x > 0.0 { x } else { f64::INFINITY };
                }
            }
        }))
    };
    let hosts = move || {
        [1u32, 4, 8]
            .into_iter()
            .filter_map(|n| {
                let h = host_for(n)?;
                let cpu = catalog().hardware(h.cpu_id).ok()?;
                Some(format!("{} ({}) up to {} GPUs", h.label, cpu.name, h.max_gpus))
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    view! {
        <div class="planner" data-testid="planner-buy">
            <section class="card">
                <h2>"What should I buy?"</h2>
                <p class="hint">
                    "Every catalog machine that runs the model well enough, cheapest first: CPUs alone, Apple and APU machines, "
                    "and 1, 2, 4 or 8 discrete GPUs on a host. A price is the launch price of its parts; hover it for them. "
                    "A machine's name opens it in the calculator."
                </p>
                <div class="row filters">
                    <ModelSelect
                        label="Model"
                        testid="buy-model"
                        selected=model_id
                        on_pick=move |id: String| store.edit(|s| {
                            s.model = ModelChoice::Preset(id);
                            s.quant = None;
                        })
                        placeholder="Custom model (from the calculator)"
                    />
                    <QuantSelect
                        testid="buy-quant"
                        selected=quant
                        default_name=default_quant
                        on_pick=move |q| store.edit(|s| s.quant = q)
                    />
                    <TaskSelect
                        testid="buy-use-case"
                        selected=Signal::derive(move || view_state.with(|v| v.use_case))
                        on_pick=move |i: usize| set_view(Box::new(move |v| v.use_case = i))
                    />
                    <label class="field">
                        <span class="label">"Target"</span>
                        <select data-testid="buy-target" on:change=move |ev| set_target(event_target_value(&ev))>
                            {[Verdict::Interactive, Verdict::Background, Verdict::Offline]
                                .into_iter()
                                .map(|v| view! {
                                    <option value=v.name() selected=move || target_id() == v.name()>
                                        {format!("{} or better", v.name())}
                                    </option>
                                })
                                .collect_view()}
                            <option value="speeds" selected=speeds>"speeds I choose"</option>
                        </select>
                    </label>
                    <Show when=speeds>
                        <NumField
                            label="Least generation speed"
                            testid="buy-min-tg"
                            value=min_tg
                            on_set=move |x| set_speeds(Some(x), None)
                            min=0.0
                            max=1e6
                            unit="token/s"
                        />
                        <NumField
                            label="Longest wait for the first token (0: any)"
                            testid="buy-max-ttft"
                            value=max_ttft
                            on_set=move |x| set_speeds(None, Some(x))
                            min=0.0
                            max=1e9
                            unit="ms"
                        />
                    </Show>
                    <NumField
                        label="Context (0: prompt + output)"
                        testid="buy-context"
                        value=Signal::derive(move || view_state.with(|v| f64::from(v.context_tokens.unwrap_or(0))))
                        on_set=move |x: f64| set_view(Box::new(move |v| v.context_tokens = (x >= 1.0).then_some(x as u32)))
                        min=0.0
                        max=f64::from(roofline_core::workload::limits::MAX_CONTEXT_TOKENS)
                        step="1"
                        unit="tokens"
                    />
                    <NumField
                        label="Budget (0: none)"
                        testid="buy-budget"
                        value=Signal::derive(move || view_state.with(|v| v.budget_usd.unwrap_or(0.0)))
                        on_set=move |x: f64| set_view(Box::new(move |v| v.budget_usd = (x > 0.0).then_some(x)))
                        min=0.0
                        max=1e9
                        unit="USD"
                    />
                    <label class="field">
                        <span class="label">"Machines"</span>
                        <select data-testid="buy-kind" on:change=move |ev| {
                            let k = MachineKind::parse(&event_target_value(&ev)).unwrap_or_default();
                            set_view(Box::new(move |v| v.kind = k));
                        }>
                            {MachineKind::ALL
                                .into_iter()
                                .map(|k| view! {
                                    <option value=k.id() selected=move || view_state.with(|v| v.kind == k)>{k.label()}</option>
                                })
                                .collect_view()}
                        </select>
                    </label>
                </div>
                <p class="summary" data-testid="buy-count" aria-live="polite">
                    {move || {
                        match (shown.get(), cheapest.get()) {
                            (0, _) => "No catalog machine meets this target.".to_owned(),
                            (n, Some(p)) => format!("{n} machines meet it; the cheapest costs {}", fmt::usd(p)),
                            (n, None) => format!("{n} machines meet it; none has a known price"),
                        }
                    }}
                </p>
                <p class="hint" id="buy-caption">
                    {move || format!(
                        "Cheapest first, machines of unknown price last. System memory at ${}/GB; GPU hosts: {}. Electricity at ${}/kWh{} (set in the calculator's running costs).",
                        DEFAULT_MEMORY_USD_PER_GB,
                        hosts(),
                        store.state.with(|s| s.cost.electricity_usd_per_kwh),
                        store.state.with(|s| s.cost.api_usd_per_million_tokens.map(|a| format!(", against an API at ${a} per million tokens")).unwrap_or_default())
                    )}
                </p>
                <div class="ptable" role="table" aria-describedby="buy-caption" aria-label="What should I buy?">
                    <div role="rowgroup" class="phead">
                        <div role="row" class="prow shop head">
                            {["Machine", "Price", "Power", "Generation", "First token", "Verdict", "Electricity per M tokens", "Headroom", "Max context"]
                                .into_iter()
                                .map(|h| view! { <div role="columnheader">{h}</div> })
                                .collect_view()}
                        </div>
                    </div>
                    <div role="rowgroup" node_ref=tbody data-testid="buy-body"></div>
                </div>
            </section>
        </div>
    }
    .into_any()
}
