//! Generates the client from the canonical spec with Progenitor, and the
//! docs' Rust request samples as functions, so that the client's tests
//! compile every sample the docs portal shows.

#[path = "../codegen/samples.rs"]
#[allow(dead_code)]
mod samples;

fn main() {
    let spec_path = "../spec/openapi.yaml";
    println!("cargo:rerun-if-changed={spec_path}");
    println!("cargo:rerun-if-changed=../codegen/samples.rs");
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
    let mut functions = String::new();
    for (method, path, operation) in samples::operations(&spec) {
        let sample = samples::samples(&samples::SampleInput { spec: &spec, method, path, operation });
        let id = operation["operationId"].as_str().expect("operationId");
        functions.push_str(&format!(
            "/// The docs' Rust sample for `{id}`.\n#[allow(unused_variables)]\npub async fn sample_{id}(session: hostadmin_client::types::LoginResult) -> Result<(), Box<dyn std::error::Error>> {{\n{}\nOk(())\n}}\n\n",
            sample.rust
        ));
    }
    std::fs::write(out.join("samples.rs"), functions).expect("write samples");
}
