//! Generates, with Progenitor's httpmock generator, one typed expectation
//! per operation of the canonical spec over the types of `hostadmin-client`
//! (the generated code says `use hostadmin_client::*`), with the client's
//! own Progenitor settings (`hostadmin_codegen::progenitor_input`), whose
//! type names the mocks use.

use quote::ToTokens as _;
use syn::visit_mut::VisitMut;

fn main() {
    let spec = hostadmin_codegen::progenitor_input::spec("../../spec/openapi.yaml");
    let mut generator = progenitor::Generator::new(&hostadmin_codegen::progenitor_input::settings());
    let tokens = generator.httpmock(&spec, "hostadmin_client").expect("Progenitor makes mocks of the spec");
    let mut file = syn::parse2::<syn::File>(tokens).expect("generated mocks parse");
    // An array query parameter (`sort`, `matchFields`, `users`) is sent
    // as the parameter repeated, once per item; the generator would match
    // one parameter against the whole `Vec` turned into a string, which
    // does not compile (`Vec` has no `Display`). Expect each item instead.
    EachItem.visit_file_mut(&mut file);
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("mock.rs"), prettyplease::unparse(&file)).expect("write generated mocks");
}

struct EachItem;

impl VisitMut for EachItem {
    fn visit_impl_item_fn_mut(&mut self, function: &mut syn::ImplItemFn) {
        let signature = function.sig.to_token_stream().to_string();
        if signature.contains(":: vec :: Vec <") || signature.contains(" Vec <") {
            ItemByItem.visit_block_mut(&mut function.block);
        }
    }
}

/// In one function: `self.0.query_param(NAME, value.to_string())`, with
/// `value` a `&Vec<T>`, becomes one `query_param` per item.
struct ItemByItem;

impl VisitMut for ItemByItem {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::MethodCall(call) = expr else { return };
        if call.method != "query_param" || call.args.len() != 2 {
            return;
        }
        let (receiver, name) = (&call.receiver, &call.args[0]);
        *expr = syn::parse_quote! {
            value.iter().fold(#receiver, |when, item| when.query_param(#name, item.to_string()))
        };
    }
}
