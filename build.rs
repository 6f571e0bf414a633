//! Generates the server side of the contract from `spec/openapi.yaml` with
//! `hostadmin-codegen`: `OUT_DIR/api.rs` (types, `HostadminApi`, `Wire` and
//! its adapter; included by `src/lib.rs`) and `OUT_DIR/docs.rs` (the docs
//! portal). A spec the generator cannot express fails the build with the
//! operation and the JSON pointer to fix.

fn main() {
    println!("cargo:rerun-if-changed=spec/openapi.yaml");
    let text = std::fs::read_to_string("spec/openapi.yaml").expect("read spec/openapi.yaml");
    let spec: serde_json::Value = serde_yaml::from_str(&text).expect("spec/openapi.yaml is valid YAML");
    let model = hostadmin_codegen::parse(&spec).unwrap_or_else(|e| panic!("spec/openapi.yaml: {e}"));
    let api = hostadmin_codegen::api_source(&model).unwrap_or_else(|e| panic!("spec/openapi.yaml: {e}"));
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out_dir.join("api.rs"), api).expect("write generated code");
    std::fs::write(out_dir.join("docs.rs"), hostadmin_codegen::docs_source(&model)).expect("write docs portal");
}
