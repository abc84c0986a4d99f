//! Every `.wgsl` file parses and validates with naga (no GPU needed), and every file in
//! `src/shaders` is listed in `shaders::ALL`.

// Helpers outside #[test] functions assert too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use naga::valid::{Capabilities, ValidationFlags, Validator};

#[test]
fn every_shader_validates() {
    for (name, source) in roofline_gpu::shaders::ALL {
        let module = naga::front::wgsl::parse_str(source)
            .unwrap_or_else(|e| panic!("{name} does not parse:\n{}", e.emit_to_string(source)));
        Validator::new(ValidationFlags::all(), Capabilities::all())
            .validate(&module)
            .unwrap_or_else(|e| panic!("{name} does not validate: {e:?}"));
        assert!(module.entry_points.iter().any(|e| e.name == "main"), "{name} has no `main` entry point");
    }
}

#[test]
fn every_wgsl_file_is_listed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/shaders");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".wgsl"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = roofline_gpu::shaders::ALL.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

fn validate(name: &str, source: &str) {
    let module = naga::front::wgsl::parse_str(source)
        .unwrap_or_else(|e| panic!("{name} does not parse:\n{}", e.emit_to_string(source)));
    Validator::new(ValidationFlags::all(), Capabilities::all())
        .validate(&module)
        .unwrap_or_else(|e| panic!("{name} does not validate: {e:?}"));
}

#[test]
fn every_model_kernel_validates_for_every_format() {
    use roofline_gpu::model::ops::QuantKernel;
    use roofline_gpu::model::ALL_FORMATS;
    for kernel in QuantKernel::ALL {
        for format in ALL_FORMATS {
            validate(&format!("{kernel:?} × {format:?}"), &kernel.compose(format));
        }
    }
    for kernel in roofline_gpu::model::f32_ops::F32Kernel::ALL {
        validate(&format!("{kernel:?}"), kernel.source());
    }
    validate("fill_blocks", roofline_gpu::model::generated::FILL);
}

#[test]
fn every_model_wgsl_file_is_used() {
    use roofline_gpu::model::ops::QuantKernel;
    use roofline_gpu::model::ALL_FORMATS;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/shaders/model");
    let composed: Vec<String> =
        QuantKernel::ALL.iter().flat_map(|k| ALL_FORMATS.iter().map(|f| k.compose(*f))).collect();
    let sources: Vec<&str> = QuantKernel::ALL
        .iter()
        .map(|k| k.source())
        .chain(composed.iter().map(String::as_str))
        .chain(QuantKernel::ALL.iter().flat_map(|k| ALL_FORMATS.iter().filter_map(|f| k.wide_source(*f))))
        .chain([roofline_gpu::model::ops::MATVEC_WIDE_COMMON])
        .chain(ALL_FORMATS.iter().map(|f| f.source()))
        .chain(ALL_FORMATS.iter().map(|f| f.dot_source()))
        .chain(ALL_FORMATS.iter().map(|f| f.tile_source()))
        .chain(roofline_gpu::model::f32_ops::F32Kernel::ALL.iter().map(|k| k.source()))
        .chain([roofline_gpu::model::generated::FILL])
        .collect();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "quant_prelude.wgsl" || !name.ends_with(".wgsl") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        assert!(sources.contains(&text.as_str()), "{name} is not used by any kernel or format");
    }
}
