//! Generates the command line client with Progenitor's CLI generator from
//! the canonical spec, against the types and builders of `hostadmin-client`
//! (the generated code says `use hostadmin_client::*`), so the CLI has no
//! client of its own to drift from the library. The Progenitor settings are
//! the client's own (`hostadmin_codegen::progenitor_input`): Progenitor
//! names the builder structs and types from them, and the CLI refers to the
//! client's by those names.

use syn::visit_mut::VisitMut;

fn main() {
    let spec = hostadmin_codegen::progenitor_input::spec("../spec/openapi.yaml");
    let mut generator = progenitor::Generator::new(&hostadmin_codegen::progenitor_input::settings());
    let tokens = generator.cli(&spec, "hostadmin_client").expect("Progenitor makes a CLI of the spec");
    let mut file = syn::parse2::<syn::File>(tokens).expect("generated CLI parses");
    // The generated `CliConfig` asks every response type for
    // `schemars::JsonSchema`, which the client's types do not derive (and the
    // CLI does not need: it prints JSON through `Serialize`). Dropping that
    // one bound keeps the client untouched.
    DropJsonSchemaBound.visit_file_mut(&mut file);
    // Array query parameters (`server-list --sort hostname --sort ID`): the
    // generator asks clap to parse a `Vec<T>` from one string, which clap
    // cannot; parse each occurrence as a `T` and collect them instead.
    RepeatableArrays.visit_file_mut(&mut file);
    // `--json-body-template` is declared by the generator but does nothing
    // (its help says "XXX"): a flag that silently sends the request anyway
    // is worse than none.
    DropArg("json-body-template").visit_file_mut(&mut file);
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("cli.rs"), prettyplease::unparse(&file)).expect("write generated CLI");
}

struct DropJsonSchemaBound;

impl VisitMut for DropJsonSchemaBound {
    fn visit_predicate_type_mut(&mut self, predicate: &mut syn::PredicateType) {
        predicate.bounds = std::mem::take(&mut predicate.bounds)
            .into_iter()
            .filter(|bound| {
                !matches!(bound, syn::TypeParamBound::Trait(t)
                    if t.path.segments.last().is_some_and(|s| s.ident == "JsonSchema"))
            })
            .collect();
        syn::visit_mut::visit_predicate_type_mut(self, predicate);
    }
}

struct RepeatableArrays;

impl VisitMut for RepeatableArrays {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::MethodCall(call) = expr else { return };
        if call.method == "value_parser" {
            // `.value_parser(value_parser!(Vec<T>))`
            let Some(syn::Expr::Macro(m)) = call.args.first() else { return };
            let Ok(ty) = m.mac.parse_body::<syn::Type>() else { return };
            let Some(item) = vec_item(&ty) else { return };
            let receiver = &call.receiver;
            *expr = syn::parse_quote! {
                #receiver.value_parser(::clap::value_parser!(#item)).action(::clap::ArgAction::Append)
            };
        } else if call.method == "get_one" {
            // `matches.get_one::<Vec<T>>(name)`: an `Option<&Vec<T>>` too.
            let Some(turbofish) = &call.turbofish else { return };
            let Some(syn::GenericArgument::Type(ty)) = turbofish.args.first() else { return };
            let Some(item) = vec_item(ty) else { return };
            let (receiver, args) = (&call.receiver, &call.args);
            *expr = syn::parse_quote! {
                #receiver.get_many::<#item>(#args).map(|values| values.cloned().collect::<Vec<#item>>()).as_ref()
            };
        }
    }
}

/// Removes `.arg(::clap::Arg::new(NAME)...)` from every command.
struct DropArg(&'static str);

impl VisitMut for DropArg {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::MethodCall(call) = expr else { return };
        let declares = |arg: &syn::Expr| {
            let mut arg = arg;
            // Down the builder chain to `Arg::new(NAME)`.
            while let syn::Expr::MethodCall(inner) = arg {
                arg = &inner.receiver;
            }
            let syn::Expr::Call(new) = arg else { return false };
            matches!(new.args.first(), Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(name), .. })) if name.value() == self.0)
        };
        if call.method == "arg" && call.args.first().is_some_and(declares) {
            *expr = (*call.receiver).clone();
        }
    }
}

/// `T` of `Vec<T>` (however the path to `Vec` is spelled).
fn vec_item(ty: &syn::Type) -> Option<syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Vec" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        syn::GenericArgument::Type(item) if args.args.len() == 1 => Some(item.clone()),
        _ => None,
    }
}
