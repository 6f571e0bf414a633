//! Generates the client from the canonical spec with Progenitor, and, by
//! `hostadmin-codegen`, the docs' Rust request samples as functions (so that
//! the client's tests run every sample the docs portal shows) and the
//! runtime's tables and list streams (`runtime.rs`).

fn main() {
    let spec_path = "../spec/openapi.yaml";
    let spec = hostadmin_codegen::progenitor_input::spec(spec_path);
    let mut settings = hostadmin_codegen::progenitor_input::settings();
    settings
        // The runtime state (credentials, cached logins, retry policy) every
        // generated method reaches through `ClientHooks::exec`.
        .with_inner_type("crate::runtime::Runtime".parse().expect("a path"));
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator.generate_tokens(&spec).expect("Progenitor reads the spec");
    let file = syn::parse2::<syn::File>(tokens).expect("generated client parses");
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).to_path_buf();
    std::fs::write(out.join("client.rs"), prettyplease::unparse(&file)).expect("write generated client");

    let text = std::fs::read_to_string(spec_path).expect("read spec/openapi.yaml");
    let spec: serde_json::Value = serde_yaml::from_str(&text).expect("spec/openapi.yaml is YAML");
    let model = hostadmin_codegen::parse(&spec).unwrap_or_else(|e| panic!("spec/openapi.yaml: {e}"));
    std::fs::write(out.join("samples.rs"), hostadmin_codegen::client_samples_source(&model)).expect("write samples");
    std::fs::write(out.join("runtime.rs"), hostadmin_codegen::client_runtime_source(&model)).expect("write runtime");
}
