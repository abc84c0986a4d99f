//! The site's state: one `AppState` signal (what a link restores), the notices from the
//! last decoded link, and the evaluation of the main scenario, derived from the core.

use std::sync::OnceLock;

use leptos::prelude::*;
use roofline_core::catalog::{Catalog, CatalogSources};
use roofline_core::efficiency::Efficiency;
use roofline_core::model::ModelSpec;
use roofline_core::scenario::{Evaluation, Resolved, Scenario};
use roofline_core::series::{parse_reference_points, BenchTable, ReferencePoint};
use roofline_core::share::{decode, encode, AppState, Notice};
use roofline_core::system::System;

use crate::browser;

/// How many stages the deferred parts of the first view take (`Store::painted`).
pub const DEFERRED_STAGES: u8 = 13;

/// localStorage key of the last state.
pub const STORAGE_KEY: &str = "roofline.state.v1";

/// The embedded catalog, parsed once.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::builtin)
}

/// The shipped efficiency parameters.
pub fn efficiency() -> &'static Efficiency {
    static EFF: OnceLock<Efficiency> = OnceLock::new();
    EFF.get_or_init(Efficiency::fitted)
}

/// LocalScore's measured points, empty until `reference_points.tsv` has been fetched.
static REFERENCE_POINTS: OnceLock<Vec<ReferencePoint>> = OnceLock::new();

/// The measured points for the charts (empty while they load or when the file is missing).
pub fn reference_points() -> &'static [ReferencePoint] {
    REFERENCE_POINTS.get().map_or(&[], Vec::as_slice)
}

/// Fetches the measured points (a static file beside the site, kept out of the wasm so the
/// first estimate comes sooner) and redraws the charts when they arrive.
pub fn load_reference_points(viewport: RwSignal<u32>) {
    leptos::task::spawn_local(async move {
        let Some(text) = crate::browser::fetch_text("reference_points.tsv").await else { return };
        if let Ok(points) = parse_reference_points(&text) {
            if REFERENCE_POINTS.set(points).is_ok() {
                viewport.update(|v| *v = v.wrapping_add(1));
            }
        }
    });
}

/// The other sources' measured tests as medians, empty until `bench_runs.tsv` has been
/// fetched.
static BENCH_TABLE: OnceLock<BenchTable> = OnceLock::new();

/// The other sources' measured medians for the charts (empty while they load or when the
/// file is missing).
pub fn bench_table() -> &'static BenchTable {
    static EMPTY: BenchTable = BenchTable { medians: Vec::new(), sources: Vec::new() };
    BENCH_TABLE.get().unwrap_or(&EMPTY)
}

/// Fetches the other sources' measured tests (a static file beside the site, as
/// `reference_points.tsv` is), reduces them to medians and redraws the charts.
pub fn load_bench_table(viewport: RwSignal<u32>) {
    leptos::task::spawn_local(async move {
        let Some(text) = crate::browser::fetch_text("bench_runs.tsv").await else { return };
        if let Ok(table) = BenchTable::parse(&text) {
            if BENCH_TABLE.set(table).is_ok() {
                viewport.update(|v| *v = v.wrapping_add(1));
            }
        }
    });
}

/// The catalog's citations, absent until `catalog-sources.json` has been fetched (the
/// site's catalog leaves them out of the first load).
static CATALOG_SOURCES: OnceLock<CatalogSources> = OnceLock::new();

/// The citations, once fetched.
pub fn catalog_sources() -> Option<&'static CatalogSources> {
    CATALOG_SOURCES.get()
}

/// Fetches the catalog's citations and bumps `done` when they arrive (an open explanation
/// then lists them).
pub fn load_catalog_sources(done: RwSignal<u32>) {
    leptos::task::spawn_local(async move {
        let Some(text) = crate::browser::fetch_text("catalog-sources.json").await else { return };
        if let Ok(sources) = CatalogSources::parse(&text) {
            if CATALOG_SOURCES.set(sources).is_ok() {
                done.update(|v| *v = v.wrapping_add(1));
            }
        }
    });
}

/// Shared signals, provided as context.
#[derive(Clone, Copy)]
pub struct Store {
    /// Everything a link restores.
    pub state: RwSignal<AppState>,
    /// What a decoded link or saved state could not use.
    pub notices: RwSignal<Vec<Notice>>,
    /// The main scenario resolved (machine and model looked up), or why not.
    pub resolved: Memo<Result<Resolved, String>>,
    /// Estimate, verdicts and LocalScore of the main scenario, or why not.
    pub evaluation: Memo<Result<Evaluation, String>>,
    /// The machine of the main scenario (changes only when the machine does).
    pub system: Memo<Option<System>>,
    /// The model of the main scenario (changes only when the model does).
    pub model: Memo<Option<ModelSpec>>,
    /// The state as a URL fragment (encoded once per change).
    pub link: Memo<String>,
    /// Dark theme on.
    pub dark: RwSignal<bool>,
    /// Bumped when the viewport resizes or chart data arrives (charts redraw).
    pub viewport: RwSignal<u32>,
    /// Tasks run since the app's first paint (0: not painted yet). What is not needed for
    /// the first screen comes then, one part per task so none is long: 1 the full lists,
    /// the measured points and the citations; 2 the machine editor's fields; 3 the model
    /// section; 4 its editor's fields; 5 the workload section; 6–10 the results, use cases,
    /// memory, running costs and charts cards (each section kept from the prerendered view
    /// until then, `components::later`); 11–13 the charts' drawings.
    pub painted: RwSignal<u8>,
    /// Stage 1 has come: the selects list the whole catalog (a memo, so the later stages
    /// change nothing that reads it).
    pub listed: Memo<bool>,
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    /// Reads the initial state from the link, else from storage, else defaults.
    pub fn new() -> Store {
        let (initial, notices) = initial_state();
        Store::with_state(initial, notices)
    }

    /// The state a link holds (the planner's module starts from the site's).
    pub fn from_link(link: &str) -> Store {
        let (initial, notices) = decode(link, catalog());
        Store::with_state(initial, notices)
    }

    fn with_state(initial: AppState, notices: Vec<Notice>) -> Store {
        let state = RwSignal::new(initial);
        let resolved = Memo::new(move |_| state.with(|s| s.main.resolve(catalog()).map_err(|e| e.to_string())));
        let evaluation = Memo::new(move |_| {
            let t0 = browser::now_ms();
            let e = resolved.with(|r| match r {
                Ok(r) => r.evaluate(efficiency()).map_err(|e| e.to_string()),
                Err(e) => Err(e.clone()),
            });
            browser::record_ms("evaluate", browser::now_ms() - t0);
            e
        });
        let system = Memo::new(move |_| resolved.with(|r| r.as_ref().ok().map(|r| r.system.clone())));
        let model = Memo::new(move |_| resolved.with(|r| r.as_ref().ok().map(|r| r.model.clone())));
        let painted = RwSignal::new(0);
        Store {
            state,
            listed: Memo::new(move |_| painted.get() >= 1),
            link: Memo::new(move |_| state.with(encode)),
            system,
            model,
            notices: RwSignal::new(notices),
            resolved,
            evaluation,
            dark: RwSignal::new(browser::prefers_dark()),
            viewport: RwSignal::new(0),
            painted,
        }
    }

    /// Changes the main scenario.
    pub fn edit(&self, f: impl FnOnce(&mut Scenario)) {
        self.state.update(|s| f(&mut s.main));
    }

    /// Replaces the state from a link (history navigation).
    pub fn load_link(&self, link: &str) {
        let (s, n) = decode(link, catalog());
        self.state.set(s);
        self.notices.set(n);
    }
}

/// Computes the first estimate once before the app mounts, in a task of its own: the
/// estimator's code is compiled then, so the mount itself is shorter.
#[cfg(feature = "csr")]
pub fn warm_up() {
    let (state, _) = initial_state();
    if let Ok(resolved) = state.main.resolve(catalog()) {
        let _ = resolved.evaluate(efficiency());
    }
}

fn initial_state() -> (AppState, Vec<Notice>) {
    let hash = browser::hash();
    if !hash.is_empty() {
        return decode(&hash, catalog());
    }
    match browser::storage_get(STORAGE_KEY) {
        Some(saved) => {
            let (s, notices) = decode(&saved, catalog());
            if !notices.is_empty() {
                // The repaired state will replace it; keep what could not be read.
                browser::storage_set(&format!("{STORAGE_KEY}.unreadable"), &saved);
            }
            let notices = notices
                .into_iter()
                .map(|mut n| {
                    n.field = format!("saved state: {}", n.field);
                    n
                })
                .collect();
            (s, notices)
        }
        None => (AppState::default(), Vec::new()),
    }
}

/// The store from context.
pub fn use_store() -> Store {
    expect_context::<Store>()
}
