//! Generates the server side of the contract from `spec/openapi.yaml`.
//!
//! Output (in `OUT_DIR/api.rs`, included by `src/lib.rs`):
//! - the spec's component schemas as Rust types (by typify), each with a
//!   `JsonSchema` impl that returns the spec's own schema, so that the
//!   document Dropshot serves says what the spec says;
//! - per operation, its parameter sets (path, query, header) as structs;
//! - `HostadminApi`, the trait the server implements: one method per
//!   operation taking validated, typed inputs (and the authenticated
//!   principal where the operation has a `security` requirement);
//! - `Wire`, a `#[dropshot::api_description]` trait with one endpoint per
//!   operation, and its one implementation, `Adapter<S>`, which checks
//!   security, then reports every spec violation of the request at once,
//!   then calls `HostadminApi`.
//!
//! The generator is deliberately strict: anything in the spec it cannot
//! express (two success types, two error schemas, a media type it does not
//! know) fails the build with the operation's name, rather than being
//! silently approximated.

#[path = "codegen/mod.rs"]
mod codegen;

fn main() {
    println!("cargo:rerun-if-changed=spec/openapi.yaml");
    println!("cargo:rerun-if-changed=codegen");
    let text = std::fs::read_to_string("spec/openapi.yaml").expect("read spec/openapi.yaml");
    let spec: serde_json::Value = serde_yaml::from_str(&text).expect("spec/openapi.yaml is valid YAML");
    let code = match codegen::generate(&spec) {
        Ok(code) => code,
        Err(e) => panic!("spec/openapi.yaml: {e}"),
    };
    let file = syn::parse2::<syn::File>(code).expect("generated code parses");
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out_dir.join("api.rs"), prettyplease::unparse(&file)).expect("write generated code");

    // The docs portal, as (path, content) pairs the crate embeds.
    let files = codegen::docs::portal(&spec);
    let entries: Vec<String> = files.iter().map(|(path, content)| format!("({path:?}, {content:?})")).collect();
    let docs = format!(
        "/// The docs portal: (path under the portal root, content).\npub const FILES: &[(&str, &str)] = &[{}];\n",
        entries.join(",\n")
    );
    std::fs::write(out_dir.join("docs.rs"), docs).expect("write docs portal");
}
