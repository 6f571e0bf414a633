//! Generates the server side of the contract from `spec/openapi.yaml` with
//! `hostadmin-codegen`: `OUT_DIR/api.rs` (types, `HostadminApi`, `Wire` and
//! its adapter; included by `src/lib.rs`) and `OUT_DIR/docs.rs` (the docs
//! portal, with the changelog of `spec/released/`). A spec the generator cannot express fails the build with the
//! operation and the JSON pointer to fix.

fn main() {
    println!("cargo:rerun-if-changed=spec/openapi.yaml");
    println!("cargo:rerun-if-changed=spec/released");
    let text = std::fs::read_to_string("spec/openapi.yaml").expect("read spec/openapi.yaml");
    let spec: serde_json::Value = serde_yaml::from_str(&text).expect("spec/openapi.yaml is valid YAML");
    let model = hostadmin_codegen::parse(&spec).unwrap_or_else(|e| panic!("spec/openapi.yaml: {e}"));
    let api = hostadmin_codegen::api_source(&model).unwrap_or_else(|e| panic!("spec/openapi.yaml: {e}"));
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out_dir.join("api.rs"), api).expect("write generated code");
    let history = hostadmin_codegen::docs::History { current_source: text, releases: releases() };
    std::fs::write(out_dir.join("docs.rs"), hostadmin_codegen::docs_source(&model, &history))
        .expect("write docs portal");
}

/// `spec/released/VERSION.yaml`, oldest first (`cargo xtask spec release`
/// checks each file's name against its `info.version`).
fn releases() -> Vec<hostadmin_codegen::docs::Release> {
    let Ok(dir) = std::fs::read_dir("spec/released") else { return Vec::new() };
    let mut out = Vec::new();
    for entry in dir {
        let path = entry.expect("list spec/released").path();
        let Some(version) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".yaml")) else {
            continue;
        };
        println!("cargo:rerun-if-changed={}", path.display());
        let version =
            hostadmin_codegen::diff::Version::parse(version).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let source = std::fs::read_to_string(&path).expect("read a released spec");
        let document = serde_yaml::from_str(&source).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        out.push(hostadmin_codegen::docs::Release { version, source, document });
    }
    out.sort_by_key(|r| r.version);
    out
}
