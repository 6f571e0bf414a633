//! `cargo xtask spec check`: compares the OpenAPI document the generated
//! Dropshot interface serves with `spec/openapi.yaml` and prints every
//! disagreement, named by operation, parameter or schema.

use std::process::ExitCode;

fn main() -> ExitCode {
    let diffs =
        hostadmin_api::roundtrip::compare(&hostadmin_api::roundtrip::spec(), &hostadmin_api::roundtrip::served());
    if diffs.is_empty() {
        let operations = hostadmin_api::roundtrip::operation_count(&hostadmin_api::roundtrip::spec());
        println!("spec check: the served document matches spec/openapi.yaml ({operations} operations)");
        ExitCode::SUCCESS
    } else {
        println!("spec check: the served document disagrees with spec/openapi.yaml in {} place(s):", diffs.len());
        for d in &diffs {
            println!("  - {d}");
        }
        ExitCode::FAILURE
    }
}
