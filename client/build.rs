//! Generates the client from the canonical spec with Progenitor, and the
//! docs' Rust request samples as functions (by `hostadmin-codegen`), so that
//! the client's tests compile every sample the docs portal shows.

fn main() {
    let spec_path = "../spec/openapi.yaml";
    println!("cargo:rerun-if-changed={spec_path}");
    let text = std::fs::read_to_string(spec_path).expect("read spec/openapi.yaml");
    let spec: openapiv3::OpenAPI = serde_yaml::from_str(&text).expect("spec/openapi.yaml is OpenAPI 3.0");
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_derive("PartialEq");
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator.generate_tokens(&spec).expect("Progenitor reads the spec");
    let file = syn::parse2::<syn::File>(tokens).expect("generated client parses");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).to_path_buf();
    std::fs::write(out.join("client.rs"), prettyplease::unparse(&file)).expect("write generated client");

    let spec: serde_json::Value = serde_yaml::from_str(&text).expect("spec/openapi.yaml is YAML");
    let model = hostadmin_codegen::parse(&spec).unwrap_or_else(|e| panic!("spec/openapi.yaml: {e}"));
    std::fs::write(out.join("samples.rs"), hostadmin_codegen::client_samples_source(&model)).expect("write samples");
}
