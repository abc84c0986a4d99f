//! The shipped parameters against LocalScore's published runs: coverage and in-sample
//! errors stay within the accuracy the README states (`roofline validate` prints the full
//! table, cross-validation included).

use roofline_core::catalog::Catalog;
use roofline_core::efficiency::Efficiency;
use roofline_core::validate::{compare, groups, parse_tsv, reference_runs, stats};

const TSV: &str = include_str!("../data/measured/localscore_results.tsv");

#[test]
fn catalog_covers_three_quarters_of_reference_runs() {
    let runs = parse_tsv(TSV).unwrap();
    let total = reference_runs(&runs).len();
    assert_eq!(total, 958);
    let (_, covered) = groups(&Catalog::builtin(), &runs);
    assert!(covered as f64 >= 0.75 * total as f64, "{covered} of {total}");
}

#[test]
fn shipped_parameters_predict_localscore_in_sample() {
    let runs = parse_tsv(TSV).unwrap();
    let (groups, _) = groups(&Catalog::builtin(), &runs);
    let refs: Vec<_> = groups.iter().collect();
    let s = stats(&compare(&refs, &Efficiency::fitted()));
    assert!(s.groups >= 400, "{s:?}");
    assert!(s.prompt_median_ape <= 25.0, "{s:?}");
    assert!(s.ttft_median_ape <= 25.0, "{s:?}");
    // The goal, in-sample: 11.5 % when the parameters were last fitted.
    assert!(s.generation_median_ape <= 12.0, "{s:?}");
}

#[test]
fn architecture_factors_name_catalog_architectures_and_only_slow_them() {
    let eff = Efficiency::fitted();
    let catalog = Catalog::builtin();
    let archs: Vec<String> =
        catalog.hardware.iter().filter_map(|e| e.gpu.as_ref().map(|g| g.architecture.clone())).collect();
    assert!(!eff.architectures.is_empty());
    for (arch, k) in &eff.architectures {
        assert!(archs.contains(arch), "{arch} is in no catalog entry");
        assert!(*k > 0.0 && *k <= 1.0, "{arch}: {k}");
    }
}

#[test]
fn malformed_measurements_are_reported_with_their_line() {
    let bad = "gen_tps\tttft\tprompt_tps\tmodel_name\tmodel_quant\taccel_name\taccel_type\tsystem_ram\nabc\t1\t1\tm\tq\ta\tGPU\t1\n";
    let err = parse_tsv(bad).unwrap_err();
    assert_eq!(err.line, 2);
    assert!(parse_tsv("nothing\n").is_err());
}
