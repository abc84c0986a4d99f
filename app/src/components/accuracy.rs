//! "How accurate is this?": the estimator's errors per source as `roofline validate
//! --sources` measured them (in-sample, each source held out of the fit, each device held
//! out), read from `accuracy.tsv` when the section is first opened, so the first load does
//! not carry it.

use leptos::prelude::*;

/// One row of `accuracy.tsv` (columns in `core::validate::sources::accuracy_tsv`).
#[derive(Debug, Clone, PartialEq)]
struct Row {
    source: String,
    fit: String,
    figure: String,
    n: String,
    median: String,
    p90: String,
    ratio: String,
}

/// The rows of the file (header skipped); `None` when it has none.
fn parse(text: &str) -> Option<Vec<Row>> {
    let rows: Vec<Row> = text
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let get = |i: usize| f.get(i).map_or(String::new(), |v| v.trim().to_owned());
            (f.len() >= 7).then(|| Row {
                source: get(0),
                fit: get(1),
                figure: get(2),
                n: get(3),
                median: get(4),
                p90: get(5),
                ratio: get(6),
            })
        })
        .collect();
    (!rows.is_empty()).then_some(rows)
}

/// What the table says while it loads, or why it is missing.
#[derive(Debug, Clone, PartialEq)]
enum State {
    Closed,
    Loading,
    Missing,
    Ready(Vec<Row>),
}

/// The accuracy section.
#[component]
pub fn Accuracy() -> impl IntoView {
    let state = RwSignal::new(State::Closed);
    let on_toggle = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let open = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()).is_some_and(|d| d.open());
        if open && state.get_untracked() == State::Closed {
            state.set(State::Loading);
            leptos::task::spawn_local(async move {
                let rows = crate::browser::fetch_text("accuracy.tsv").await.as_deref().and_then(parse);
                state.set(rows.map_or(State::Missing, State::Ready));
            });
        }
    };
    let cell = |v: String, unit: &'static str| if v.is_empty() { String::new() } else { format!("{v}{unit}") };
    view! {
        <section class="card" aria-labelledby="accuracy-heading">
            <details class="how" data-testid="accuracy" on:toggle=on_toggle>
                <summary><h2 id="accuracy-heading">"How accurate is this?"</h2></summary>
                <p class="hint">
                    "Measured runs of every source against the estimate for each run's own machine, model, engine, backend, flash attention, prompt and depth: "
                    "in-sample (parameters fitted on every source), held out (fitted without that source) and by device (fitted without that device's runs). "
                    "Errors are median and 90th-percentile absolute percentage errors; pred/meas above 1 means predicted too fast."
                </p>
                {move || match state.get() {
                    State::Closed | State::Loading => view! { <p class="hint">"Loading the measured errors…"</p> }.into_any(),
                    State::Missing => view! { <p class="error" role="alert">"The accuracy table could not be loaded; `roofline validate --sources` prints it."</p> }.into_any(),
                    State::Ready(rows) => view! {
                        <div class="table-scroll">
                            <table class="accuracy" data-testid="accuracy-table">
                                <thead><tr><th>"source"</th><th>"fit"</th><th>"figure"</th><th>"n"</th><th>"median"</th><th>"p90"</th><th>"pred/meas"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| {
                                        let share = r.figure == "inside the band";
                                        view! {
                                            <tr data-testid="accuracy-row">
                                                <td>{r.source}</td><td>{r.fit}</td><td>{r.figure}</td><td>{r.n}</td>
                                                <td>{cell(r.median, "%")}</td><td>{cell(r.p90, if share { "" } else { "%" })}</td><td>{r.ratio}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }}
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_parse_and_an_empty_file_is_missing() {
        let text = "source\tfit\tfigure\tn\tmedian_ape\tp90_ape\tmedian_ratio\nlocalscore\theld out\tprompt\t527\t21.9\t70.7\t0.98\n";
        let rows = parse(text).unwrap_or_default();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].fit.as_str(), rows[0].median.as_str()), ("held out", "21.9"));
        assert_eq!(parse("source\tfit\n"), None);
        assert_eq!(parse("garbage"), None);
    }
}
