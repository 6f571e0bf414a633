//! `HostadminApi`, the trait the service implements, and `Operation`, the
//! enum of operationIds it is told about.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::inputs::{Inputs, Output};
use crate::model::{Operation, SecurityRequirement, Spec};
use crate::naming::{builder_method as snake, type_name};

/// One method of `HostadminApi`.
pub(crate) fn method(op: &Operation, inputs: &Inputs, output: &Output) -> TokenStream {
    let name = format_ident!("{}", snake(&op.id));
    let principal = match op.security {
        SecurityRequirement::AnyOf(_) => quote!(principal: Self::Principal,),
        SecurityRequirement::Anonymous => quote!(),
    };
    let (params, ok) = (&inputs.api, &output.api);
    let doc = format!("`{} {}`: {}", op.method.upper(), op.path, op.summary.clone().unwrap_or_default());
    quote! {
        #[doc = #doc]
        fn #name(
            rqctx: &::dropshot::RequestContext<Self>,
            #principal
            #(#params),*
        ) -> impl ::std::future::Future<Output = Result<#ok, crate::wire::Problem>> + Send;
    }
}

/// The trait, with its provided methods and one method per operation.
pub(crate) fn api_trait(methods: &[TokenStream]) -> TokenStream {
    quote! {
        /// What the service implements: one method per operation of the spec.
        ///
        /// Inputs arrive parsed and validated against the spec; the
        /// principal arrives authenticated by [`HostadminApi::authenticate`]
        /// for every operation with a `security` requirement. A method's
        /// [`crate::wire::Problem`] is turned into the operation's error
        /// schema by the surface's [`crate::wire::ErrorBody`].
        pub trait HostadminApi: crate::wire::CrossOrigin + Sized {
            /// Who made an authenticated request.
            type Principal: Send + Sync + 'static;

            /// Checks the credentials of a request against one operation's
            /// security requirement: a list of alternatives, each a set of
            /// schemes that must all be satisfied.
            fn authenticate(
                rqctx: &::dropshot::RequestContext<Self>,
                requirement: &'static [&'static [SecurityScheme]],
            ) -> impl ::std::future::Future<Output = Result<Self::Principal, crate::wire::Problem>> + Send;

            /// Called once per request with the operation, the status it
            /// answered and how long it took: the service's metrics.
            fn observe(
                rqctx: &::dropshot::RequestContext<Self>,
                operation: Operation,
                status: u16,
                elapsed: ::std::time::Duration,
            ) {
                let _ = (rqctx, operation, status, elapsed);
            }

            /// Checks of a request body that its schema cannot express: a
            /// field that must equal another, a code that must exist. Runs
            /// after authentication (`principal` is who asks; `None` for an
            /// open operation), whether or not the schema found problems, so
            /// that a request learns every problem at once. A check that
            /// reads data must read none for a caller the operation will
            /// refuse: what it found (a name "already taken") would answer
            /// for another tenant's data.
            fn check_body(
                rqctx: &::dropshot::RequestContext<Self>,
                principal: Option<&Self::Principal>,
                operation: Operation,
                body: &::serde_json::Value,
            ) -> impl ::std::future::Future<Output = Result<Vec<crate::wire::Violation>, crate::wire::Problem>> + Send {
                let _ = (rqctx, principal, operation, body);
                async { Ok(Vec::new()) }
            }

            #(#methods)*
        }
    }
}

/// The `Operation` enum.
pub(crate) fn operation_enum(spec: &Spec) -> TokenStream {
    let variants: Vec<_> = spec.operations.iter().map(|op| format_ident!("{}", type_name(&op.id))).collect();
    let ids = spec.operations.iter().map(|op| op.id.as_str());
    quote! {
        /// The spec's operations, by `operationId`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            #(#variants,)*
        }

        impl Operation {
            /// Every operation, in the spec's order.
            pub const ALL: &'static [Operation] = &[#(Operation::#variants),*];
            /// The operation's `operationId`.
            pub fn id(self) -> &'static str {
                match self { #(Operation::#variants => #ids,)* }
            }
        }
    }
}
