//! `Wire`, the `#[dropshot::api_description]` trait (one endpoint per
//! operation), and `Adapter`, its one implementation: security first, then
//! every input validated, then the `HostadminApi` method, then the answer in
//! JSON or, where the spec offers it, XML.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::inputs::{Inputs, Output};
use crate::emit::security;
use crate::model::{Method, Operation};
use crate::naming::{builder_method as snake, type_name};

/// An operation's endpoint and adapter method (two of each with an XML twin).
pub(crate) struct WireCode {
    pub endpoint: TokenStream,
    pub adapter: TokenStream,
}

/// The `#[endpoint]` attribute.
fn endpoint_attribute(op: &Operation, inputs: &Inputs) -> TokenStream {
    let (method, path, tags) = (format_ident!("{}", op.method.upper()), &op.path, &op.tags);
    match inputs.content_type {
        Some(ct) => quote!(#[endpoint { method = #method, path = #path, tags = [#(#tags),*], content_type = #ct }]),
        None => quote!(#[endpoint { method = #method, path = #path, tags = [#(#tags),*] }]),
    }
}

fn endpoint(op: &Operation, inputs: &Inputs, output: &Output, error: &TokenStream) -> TokenStream {
    let name = format_ident!("{}", snake(&op.id));
    let attribute = endpoint_attribute(op, inputs);
    let (summary, description) = (op.summary.clone().unwrap_or_default(), op.description.clone().unwrap_or_default());
    let wire_ok = &output.wire;
    let ok = quote!(crate::wire::Negotiated<#wire_ok>);
    let params = &inputs.wire;
    quote! {
        #[doc = #summary]
        #[doc = ""]
        #[doc = #description]
        #attribute
        async fn #name(
            rqctx: ::dropshot::RequestContext<Self::Context>,
            #(#params),*
        ) -> Result<#ok, crate::wire::ErrorResponse<#error>>;
    }
}

/// The adapter's steps up to the method's answer: authenticate, check the
/// inputs, call, and set an envelope's `statusCode`.
fn call(op: &Operation, inputs: &Inputs) -> TokenStream {
    let name = format_ident!("{}", snake(&op.id));
    let auth = security::authenticate(&op.security);
    let principal = auth.as_ref().map(|_| quote!(principal,));
    let check = inputs.check();
    let passes = &inputs.passes;
    // A body that carries its own status (`statusCode`) gets it from here.
    let status = op.success.kind.status();
    let set_status = op
        .success
        .envelope
        .then(|| quote!(let mut out = out; crate::wire::Envelope::set_status_code(&mut out, #status);));
    quote! {
        #auth
        #check
        let out = S::#name(&rqctx, #principal #(#passes),*).await?;
        #set_status
    }
}

fn adapter(op: &Operation, inputs: &Inputs, output: &Output, error: &TokenStream) -> TokenStream {
    let name = format_ident!("{}", snake(&op.id));
    let (params, wire_ok, wrap) = (&inputs.wire, &output.wire, &output.wrap);
    let call = call(op, inputs);
    let status = op.success.kind.status();
    let variant = format_ident!("{}", type_name(&op.id));
    if op.success.xml {
        return quote! {
            async fn #name(
                rqctx: ::dropshot::RequestContext<S>,
                #(#params),*
            ) -> Result<crate::wire::Negotiated<#wire_ok>, crate::wire::ErrorResponse<#error>> {
                let started = ::std::time::Instant::now();
                let xml = crate::wire::wants_xml(&rqctx.request);
                let result: Result<_, crate::wire::ErrorResponse<#error>> = async {
                    #call
                    Ok(out)
                }
                .await;
                let observed = match &result { Ok(_) => #status, Err(e) => e.status.as_u16() };
                S::observe(&rqctx, Operation::#variant, observed, started.elapsed());
                let status = ::http::StatusCode::from_u16(#status).expect("a valid status");
                crate::wire::Negotiated::answer(xml, status, result, |out| #wrap, crate::wire::cors_headers(&rqctx))
            }
        };
    }
    quote! {
        async fn #name(
            rqctx: ::dropshot::RequestContext<S>,
            #(#params),*
        ) -> Result<crate::wire::Negotiated<#wire_ok>, crate::wire::ErrorResponse<#error>> {
            let started = ::std::time::Instant::now();
            let result: Result<#wire_ok, crate::wire::ErrorResponse<#error>> = async {
                #call
                Ok(#wrap)
            }
            .await;
            let observed = match &result { Ok(_) => #status, Err(e) => e.status.as_u16() };
            S::observe(&rqctx, Operation::#variant, observed, started.elapsed());
            crate::wire::Negotiated::answer_json(result, crate::wire::cors_headers(&rqctx))
        }
    }
}

/// A path that ends in a literal also answers at `PATH.xml` (an unpublished
/// twin); one that ends in a variable takes the suffix there.
fn xml_twin(op: &Operation, inputs: &Inputs, output: &Output, error: &TokenStream) -> Option<WireCode> {
    if !op.success.xml || op.path.ends_with('}') {
        return None;
    }
    let (name, twin) = (format_ident!("{}", snake(&op.id)), format_ident!("{}_xml", snake(&op.id)));
    let (method, twin_path) = (format_ident!("{}", op.method.upper()), format!("{}.xml", op.path));
    let attribute = match inputs.content_type {
        Some(ct) => quote!(#[endpoint { method = #method, path = #twin_path, content_type = #ct, unpublished = true }]),
        None => quote!(#[endpoint { method = #method, path = #twin_path, unpublished = true }]),
    };
    let (params, passes, wire_ok) = (&inputs.wire, &inputs.passes, &output.wire);
    let endpoint = quote! {
        #[doc = "The same operation, answering XML."]
        #attribute
        async fn #twin(
            rqctx: ::dropshot::RequestContext<Self::Context>,
            #(#params),*
        ) -> Result<crate::wire::Negotiated<#wire_ok>, crate::wire::ErrorResponse<#error>>;
    };
    let adapter = quote! {
        async fn #twin(
            rqctx: ::dropshot::RequestContext<S>,
            #(#params),*
        ) -> Result<crate::wire::Negotiated<#wire_ok>, crate::wire::ErrorResponse<#error>> {
            <Self as Wire>::#name(rqctx, #(#passes),*).await
        }
    };
    Some(WireCode { endpoint, adapter })
}

/// A GET's HEAD twin at `path` (unpublished): the GET itself, whose body
/// hyper leaves unsent for a HEAD request (RFC 9110 §9.3.2: the same status
/// and headers, `Content-Length` included, and no content).
fn head_twin(
    op: &Operation,
    inputs: &Inputs,
    path: &str,
    get: &proc_macro2::Ident,
    ok: &TokenStream,
    error: &TokenStream,
) -> WireCode {
    let twin = format_ident!("{}_head", get);
    let (params, passes) = (&inputs.wire, &inputs.passes);
    let doc = format!("`HEAD {path}`: `GET {}` without its body.", op.path);
    let endpoint = quote! {
        #[doc = #doc]
        #[endpoint { method = HEAD, path = #path, unpublished = true }]
        async fn #twin(
            rqctx: ::dropshot::RequestContext<Self::Context>,
            #(#params),*
        ) -> Result<#ok, crate::wire::ErrorResponse<#error>>;
    };
    let adapter = quote! {
        async fn #twin(
            rqctx: ::dropshot::RequestContext<S>,
            #(#params),*
        ) -> Result<#ok, crate::wire::ErrorResponse<#error>> {
            <Self as Wire>::#get(rqctx, #(#passes),*).await
        }
    };
    WireCode { endpoint, adapter }
}

/// An operation's endpoint(s) and adapter method(s).
pub(crate) fn operation(op: &Operation, inputs: &Inputs, output: &Output, error: &TokenStream) -> WireCode {
    let mut code =
        WireCode { endpoint: endpoint(op, inputs, output, error), adapter: adapter(op, inputs, output, error) };
    let twin = xml_twin(op, inputs, output, error);
    if op.method == Method::Get {
        let wire_ok = &output.wire;
        let ok = quote!(crate::wire::Negotiated<#wire_ok>);
        let get = format_ident!("{}", snake(&op.id));
        let head = head_twin(op, inputs, &op.path, &get, &ok, error);
        code.endpoint.extend(head.endpoint);
        code.adapter.extend(head.adapter);
        if twin.is_some() {
            let xml_ok = quote!(crate::wire::Negotiated<#wire_ok>);
            let xml_get = format_ident!("{}_xml", snake(&op.id));
            let head = head_twin(op, inputs, &format!("{}.xml", op.path), &xml_get, &xml_ok, error);
            code.endpoint.extend(head.endpoint);
            code.adapter.extend(head.adapter);
        }
    }
    if let Some(twin) = twin {
        code.endpoint.extend(twin.endpoint);
        code.adapter.extend(twin.adapter);
    }
    code
}

/// The trait, its adapter, and the API descriptions built from them.
pub(crate) fn wire_trait(endpoints: &[TokenStream], adapters: &[TokenStream]) -> TokenStream {
    quote! {
        /// The Dropshot interface, one endpoint per operation. Implemented
        /// only by [`Adapter`]; the service implements [`HostadminApi`].
        #[::dropshot::api_description { module = "wire_api" }]
        pub trait Wire {
            type Context: HostadminApi;
            #(#endpoints)*
        }

        /// Connects Dropshot's endpoints to a [`HostadminApi`].
        pub struct Adapter<S>(::std::marker::PhantomData<fn() -> S>);

        impl<S: HostadminApi> Wire for Adapter<S> {
            type Context = S;
            #(#adapters)*
        }

        /// The API description of the service `S`: every operation of the
        /// spec, and the unpublished routing endpoints ([`routing_endpoints`]).
        pub fn api_description<S: HostadminApi>()
            -> Result<::dropshot::ApiDescription<S>, ::dropshot::ApiDescriptionBuildErrors>
        {
            let mut api = wire_api::api_description::<Adapter<S>>()?;
            crate::wire::register_all(&mut api, routing_endpoints::<S>())?;
            Ok(api)
        }

        /// The API description without a service, for the OpenAPI document
        /// the generated interface really serves.
        pub fn stub_api_description()
            -> Result<::dropshot::ApiDescription<::dropshot::StubContext>, ::dropshot::ApiDescriptionBuildErrors>
        {
            wire_api::stub_api_description()
        }
    }
}
