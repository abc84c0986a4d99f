//! Share links: exact round trips, compact typical links, and hostile input.

use proptest::prelude::*;
use roofline_core::catalog::Catalog;
use roofline_core::hardware::GpuBackend;
use roofline_core::quant::ALL_SCHEMES;
use roofline_core::runtime::{Engine, FlashAttention};
use roofline_core::scenario::{custom_model, HardwareChoice, ModelChoice, Scenario};
use roofline_core::share::{decode, encode, starter_comparison, AppState, Page};
use roofline_core::workload::{KvType, Os, Placement, Speculative, Workload};

fn catalog() -> Catalog {
    Catalog::builtin()
}

fn round_trip(state: &AppState) -> String {
    let link = encode(state);
    let (back, notices) = decode(&link, &catalog());
    assert!(notices.is_empty(), "{link}: {notices:?}");
    assert_eq!(&back, state, "{link}");
    link
}

#[test]
fn default_state_is_a_short_link() {
    assert_eq!(round_trip(&AppState::default()), "v=1");
}

#[test]
fn typical_links_are_short() {
    let c = catalog();
    let typical = AppState {
        page: Page::Calculator,
        main: Scenario {
            hardware: HardwareChoice::preset("apple-m2-max-12c-38g"),
            model: ModelChoice::Preset("qwen2-5-14b".into()),
            quant: Some(roofline_core::quant::QuantScheme::Q5_K_M),
            workload: Workload { prompt_tokens: 4096, gen_tokens: 512, batch: 2, ..Workload::default() },
        },
        compare: Vec::new(),
        ..AppState::default()
    };
    assert!(c.hardware("apple-m2-max-12c-38g").is_ok());
    let link = round_trip(&typical);
    println!("typical link ({} chars): #{link}", link.len());
    assert!(link.len() < 300);
    let starter = AppState {
        page: Page::Compare,
        main: starter_comparison()[1].clone(),
        compare: starter_comparison(),
        ..AppState::default()
    };
    let link = round_trip(&starter);
    println!("starter comparison link ({} chars): #{link}", link.len());
    assert!(link.len() < 300, "{}", link.len());
}

#[test]
fn every_catalog_entry_and_quant_round_trips() {
    let c = catalog();
    for h in &c.hardware {
        let main = Scenario { hardware: HardwareChoice::preset(&h.id), ..Scenario::default() };
        round_trip(&AppState { main, ..AppState::default() });
    }
    for (m, q) in c.models.iter().zip(ALL_SCHEMES.iter().cycle()) {
        let main = Scenario { model: ModelChoice::Preset(m.id.clone()), quant: Some(*q), ..Scenario::default() };
        round_trip(&AppState { main, ..AppState::default() });
    }
}

#[test]
fn custom_machines_and_models_round_trip_exactly() {
    let c = catalog();
    for (hw, model) in [
        ("nvidia-geforce-rtx-3090", "deepseek-v3"),
        ("apple-m2-max-12c-38g", "gemma-3-27b"),
        ("amd-ryzen-ai-max-plus-395", "qwen3-30b-a3b"),
        ("amd-epyc-9554p", "gpt-oss-120b"),
        ("nvidia-geforce-rtx-4060-laptop", "llama-3-1-8b"),
    ] {
        let mut system = HardwareChoice::preset(hw).system(&c).unwrap();
        system.name = "Ünïcode ~&=#%<script>alert(1)</script> box".into();
        system.memory.speed_mt_per_s = 5600.5;
        let mut spec = custom_model(c.model(model).unwrap());
        spec.name = "my model ~ v2 & co".into();
        let main = Scenario {
            hardware: HardwareChoice::Custom(Box::new(system)),
            model: ModelChoice::Custom(Box::new(spec)),
            quant: None,
            workload: Workload {
                prompt_tokens: 3333,
                gen_tokens: 0,
                batch: 7,
                context_depth: 1234,
                context_tokens: Some(65536),
                kv_type: KvType::Q4_0,
                placement: Placement::GpuLayers(3),
                cold_start_disk_gb_per_s: Some(3.25),
                speculative: Some(Speculative {
                    draft_model_id: "llama-3-2-1b".into(),
                    draft_tokens: 5,
                    acceptance_rate: 0.7,
                }),
                os: Os::Windows,
                backend: Some(GpuBackend::Vulkan),
                engine: Engine::LocalScore,
                flash_attention: FlashAttention::On,
            },
        };
        round_trip(&AppState { page: Page::Device, main, compare: Vec::new(), ..AppState::default() });
    }
}

#[test]
fn compare_slots_differing_from_main_round_trip() {
    let c = catalog();
    let custom = HardwareChoice::Custom(Box::new(HardwareChoice::preset("apple-m4-max-16c-40g").system(&c).unwrap()));
    let main =
        Scenario { hardware: custom, quant: Some(roofline_core::quant::QuantScheme::Q8_0), ..Scenario::default() };
    let slots = vec![
        Scenario::default(),
        main.clone(),
        Scenario { workload: Workload { placement: Placement::CpuOnly, ..Workload::default() }, ..main.clone() },
        starter_comparison()[3].clone(),
    ];
    round_trip(&AppState { page: Page::Compare, main, compare: slots, ..AppState::default() });
}

/// The planner pages' state (sort, filters, target, budget) survives the link.
#[test]
fn planner_state_round_trips() {
    use roofline_core::estimate::verdict::Verdict;
    use roofline_core::plan::view::{BuyView, MachineKind, PlanColumn, PlanView, SizeClass};
    use roofline_core::shop::Target;
    let plan = PlanView {
        use_case: 2,
        sort: PlanColumn::Ttft,
        descending: false,
        fits_only: true,
        family: Some("qwen3moe".into()),
        size: SizeClass::Medium,
        verdict: Some(Verdict::Background),
    };
    let buy = BuyView {
        use_case: 1,
        target: Target::Speeds { min_generation_tokens_per_s: 12.5, max_time_to_first_token_ms: 2000.0 },
        context_tokens: Some(32768),
        budget_usd: Some(2999.99),
        kind: MachineKind::Gpu,
    };
    let link = round_trip(&AppState { page: Page::Plan, plan: plan.clone(), buy: buy.clone(), ..AppState::default() });
    assert!(link.contains("p=plan") && link.contains("ps=ttft") && link.contains("bb=2999.99"), "{link}");
    let verdict_target = BuyView { target: Target::Verdict { verdict: Verdict::Offline }, ..buy };
    round_trip(&AppState { page: Page::Buy, buy: verdict_target, ..AppState::default() });
    let speed_only = BuyView {
        target: Target::Speeds { min_generation_tokens_per_s: 20.0, max_time_to_first_token_ms: f64::INFINITY },
        ..BuyView::default()
    };
    round_trip(&AppState { page: Page::Buy, buy: speed_only, ..AppState::default() });
    let cost = roofline_core::cost::inputs::CostInputs {
        electricity_usd_per_kwh: 0.31,
        api_usd_per_million_tokens: Some(0.6),
        price_usd: Some(2499.0),
        power_w: Some(450.5),
    };
    let link = round_trip(&AppState { cost, ..AppState::default() });
    assert!(link.contains("el=0.31") && link.contains("mw=450.5"), "{link}");
    // The planner's keys never reach the compare slots or the scenario reader.
    let (state, notices) = decode("v=1&p=buy&bu=uc3&c1=m:qwen2-5-14b", &catalog());
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!((state.page, state.buy.use_case, state.compare.len()), (Page::Buy, 2, 1));
}

fn notices_for(link: &str) -> (AppState, Vec<String>) {
    let (state, notices) = decode(link, &catalog());
    (state, notices.iter().map(ToString::to_string).collect())
}

#[test]
fn hostile_links_give_defaults_and_notices() {
    let cases = [
        ("v=1&pp=-5", "prompt tokens"),
        ("v=1&pp=NaN", "prompt tokens"),
        ("v=1&tg=99999999999999999999", "generated tokens"),
        ("v=1&b=0", "batch"),
        ("v=1&hw=<script>alert(1)</script>", "machine"),
        ("v=1&m=javascript:alert(1)", "model"),
        ("v=1&q=Q9_Z", "quantization"),
        ("v=1&kv=f64", "KV cache type"),
        ("v=1&pl=everywhere", "placement"),
        ("v=1&os=beos", "operating system"),
        ("v=1&be=glide", "GPU backend"),
        ("v=1&en=ollama%3Cb%3E", "engine"),
        ("v=1&fa=maybe", "flash attention"),
        ("v=1&hc=x&hl=yes", "laptop GPU"),
        ("v=1&cold=inf", "disk read speed"),
        ("v=1&sd=nope~0~2", "speculative decoding"),
        ("v=1&hc=garbage", "custom machine"),
        ("v=1&mc=~~~~", "custom model"),
        ("v=1&zz=1", "unknown field zz"),
        ("v=9", "version"),
        ("v=1&c9=hw:x", "compare slot"),
        ("v=1&ctx=10&pp=1024", "context"),
        ("v=1&n=1000", "GPU count"),
        ("v=1&p=admin", "page"),
        ("v=1&p=plan&pu=uc9", "planner use case"),
        ("v=1&ps=-price", "planner sort"),
        ("v=1&pf=yes", "planner fits only"),
        ("v=1&pm=%3Cb%3E", "planner family"),
        ("v=1&pz=xl", "planner size"),
        ("v=1&pv=great", "planner verdict"),
        ("v=1&bt=non-viable", "shopping target"),
        ("v=1&bg=-3", "shopping speeds"),
        ("v=1&bf=NaN", "shopping speeds"),
        ("v=1&bc=0", "shopping context"),
        ("v=1&bb=inf", "shopping budget"),
        ("v=1&bk=boat", "shopping machines"),
        ("v=1&el=-1", "electricity price"),
        ("v=1&api=inf", "API price"),
        ("v=1&mp=lots", "machine price"),
        ("v=1&mw=0", "machine power"),
    ];
    for (link, field) in cases {
        let (state, notices) = notices_for(link);
        assert!(notices.iter().any(|n| n.contains(field)), "{link}: {notices:?}");
        assert!(state.main.evaluate(&catalog(), &roofline_core::efficiency::Efficiency::fitted()).is_ok(), "{link}");
    }
    let huge = format!("v=1&pp={}", "9".repeat(20_000));
    let (state, notices) = notices_for(&huge);
    assert_eq!(state, AppState::default());
    assert!(notices[0].contains("link"));
}

/// A backend in the link changes the family that predicts the GPU; a link without one
/// keeps the GPU's default backend, as links made before the field existed.
#[test]
fn a_backend_in_the_link_is_the_runtime_and_changes_the_figures() {
    let c = catalog();
    let eff = roofline_core::efficiency::Efficiency::fitted();
    let (plain, notices) = decode("v=1&hw=amd-ryzen-ai-max-plus-395&m=gpt-oss-20b&q=MXFP4", &c);
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(plain.main.workload.backend, None);
    let (vulkan, notices) = decode("v=1&hw=amd-ryzen-ai-max-plus-395&m=gpt-oss-20b&q=MXFP4&be=vulkan", &c);
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(vulkan.main.workload.backend, Some(GpuBackend::Vulkan));
    assert!(encode(&vulkan).contains("be=vulkan"), "{}", encode(&vulkan));
    let (a, b) = (plain.main.evaluate(&c, &eff).unwrap(), vulkan.main.evaluate(&c, &eff).unwrap());
    assert_ne!(a.estimate.prompt_tokens_per_s, b.estimate.prompt_tokens_per_s);
}

#[test]
fn percent_encoded_values_resolve() {
    let (state, notices) = decode("v=1&hw=NVIDIA%20GeForce%20RTX%204090&m=llama%2D3%2D1%2D8b", &catalog());
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(state.main.hardware, HardwareChoice::preset("nvidia-geforce-rtx-4090"));
    let (_, notices) = notices_for("v=1&hw=%3Cscript%3Ealert(1)%3C/script%3E");
    assert!(notices[0].contains("<script>alert(1)</script>"), "{notices:?}");
    let (_, notices) = notices_for("v=1&hw=%E2%28%A1%zz%");
    assert_eq!(notices.len(), 1);
}

#[test]
fn notices_never_carry_control_characters_or_long_values() {
    let (_, notices) = decode("v=1&hw=%0a%0d\u{7}\u{1b}[31m".to_owned().as_str(), &catalog());
    for n in notices {
        assert!(!n.value.chars().any(char::is_control));
        assert!(n.value.chars().count() <= 41);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_text_decodes_without_panic(link in ".{0,300}") {
        let _ = decode(&link, &catalog());
    }

    #[test]
    fn link_like_text_decodes_without_panic(
        pairs in proptest::collection::vec(("(hw|hg|hh|n|hc|m|mc|q|pp|tg|d|b|ctx|kv|pl|cold|sd|c1|c2|p|v|pu|ps|pf|pm|pz|pv|bu|bt|bg|bf|bc|bb|bk|el|api|mp|mw)", "[-~*:0-9a-z.%]{0,40}"), 0..12)
    ) {
        let link: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let (state, _) = decode(&link.join("&"), &catalog());
        // Whatever came in, the state is usable and re-encodes to itself.
        let again = decode(&encode(&state), &catalog());
        prop_assert_eq!(again.0, state);
        prop_assert!(again.1.is_empty());
    }

    #[test]
    fn workloads_round_trip(
        pp in 1u32..=1_048_576, tg in 0u32..=1_048_576, b in 1u32..=1024, d in 0u32..=100_000,
        kv in 0usize..3, pl in 0usize..5, layers in 0u32..=40, cold in proptest::option::of(0.01f64..1000.0),
    ) {
        let placement = [Placement::Auto, Placement::CpuOnly, Placement::GpuOnly, Placement::ExpertsOnCpu, Placement::GpuLayers(layers)][pl];
        let workload = Workload {
            prompt_tokens: pp, gen_tokens: tg, batch: b, context_depth: d,
            kv_type: [KvType::F16, KvType::Q8_0, KvType::Q4_0][kv], placement,
            cold_start_disk_gb_per_s: cold, ..Workload::default()
        };
        let state = AppState { main: Scenario { workload, ..Scenario::default() }, ..AppState::default() };
        let (back, notices) = decode(&encode(&state), &catalog());
        prop_assert!(notices.is_empty());
        prop_assert_eq!(back, state);
    }
}

#[test]
fn calibrated_machines_round_trip_with_their_measurement() {
    use roofline_core::calibration::{calibrate, Measured, MeasuredBy};
    let c = catalog();
    for (hw, f16, by) in [
        ("nvidia-geforce-rtx-4070", Some(29.5), MeasuredBy::Probes),
        ("apple-m2-max-12c-38g", None, MeasuredBy::Probes),
        ("nvidia-geforce-rtx-4070", None, MeasuredBy::ModelRun),
    ] {
        let system = HardwareChoice::preset(hw).system(&c).unwrap();
        let measured = Measured {
            adapter: "NVIDIA GeForce RTX 4070 ~ (Vulkan)".into(),
            read_gb_per_s: 451.25,
            fma_f32_tflops: 27.125,
            fma_f16_tflops: f16,
            by,
        };
        let calibrated = calibrate(&system, &measured).unwrap();
        let mut state = AppState::default();
        state.main.hardware = HardwareChoice::Custom(Box::new(calibrated));
        let link = round_trip(&state);
        assert!(link.len() < 400, "{} characters: {link}", link.len());
    }
}

/// A link from before the measurement said what made it (no `by` field) restores the
/// same machine, with its figures as the link has them, as measured by the probes.
#[test]
fn calibrated_links_without_what_measured_them_restore_as_before() {
    use roofline_core::calibration::{calibrate, Measured, MeasuredBy};
    let c = catalog();
    let system = HardwareChoice::preset("nvidia-geforce-rtx-4070").system(&c).unwrap();
    let measured = Measured {
        adapter: "RTX".into(),
        read_gb_per_s: 451.25,
        fma_f32_tflops: 27.125,
        fma_f16_tflops: None,
        by: MeasuredBy::Probes,
    };
    let mut state = AppState::default();
    state.main.hardware = HardwareChoice::Custom(Box::new(calibrate(&system, &measured).unwrap()));
    let link = encode(&state);
    let old = link.replacen("~probes", "", 1);
    assert_ne!(old, link, "{link}");
    let (back, notices) = decode(&old, &c);
    assert!(notices.is_empty(), "{old}: {notices:?}");
    assert_eq!(back, state, "{old}");
}
