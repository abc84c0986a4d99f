//! Every `.wgsl` file parses and validates with naga (no GPU needed), and every file in
//! `src/shaders` is listed in `shaders::ALL`.

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
