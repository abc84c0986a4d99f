//! The calculator: inputs on one side, results, verdicts, memory and charts on the other.

use leptos::prelude::*;

use crate::charts::CalculatorCharts;
use crate::components::accuracy::Accuracy;
use crate::components::energy::EnergyCard;
use crate::components::hardware::HardwareSection;
use crate::components::later::Later;
use crate::components::memory::MemoryBars;
use crate::components::model::ModelSection;
use crate::components::results::Results;
use crate::components::summary::Summary;
use crate::components::verdicts::VerdictTable;
use crate::components::workload::WorkloadSection;
use crate::state::use_store;

/// The calculator page.
#[component]
pub fn Calculator() -> impl IntoView {
    let store = use_store();
    let verdicts =
        Signal::derive(move || store.evaluation.with(|e| e.as_ref().map(|e| e.verdicts.clone()).unwrap_or_default()));
    let memory = Signal::derive(move || {
        store.evaluation.with(|e| e.as_ref().map(|e| e.estimate.memory.clone()).unwrap_or_default())
    });
    view! {
        <div class="calculator" data-testid="page-calculator">
            <Summary />
            <div class="inputs">
                <HardwareSection />
                <Later kept="model" stage=3>
                    <ModelSection />
                </Later>
                <Later kept="workload" stage=5>
                    <WorkloadSection />
                </Later>
            </div>
            <div class="outputs">
                <Later kept="results" stage=6>
                    <Results />
                </Later>
                <Later kept="verdicts" stage=7>
                    <section class="card" aria-labelledby="verdict-heading">
                        <h2 id="verdict-heading">"Use cases"</h2>
                        <VerdictTable verdicts=verdicts testid="verdict-table" />
                    </section>
                </Later>
                <Later kept="memory" stage=8>
                    <section class="card" aria-labelledby="mem-heading">
                        <h2 id="mem-heading">"Memory"</h2>
                        <MemoryBars memory=memory />
                    </section>
                </Later>
                <Later kept="energy" stage=9>
                    <EnergyCard />
                </Later>
                <Later kept="charts" stage=10>
                    <CalculatorCharts />
                    <Accuracy />
                </Later>
            </div>
        </div>
    }
}
