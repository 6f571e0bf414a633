//! What one operation takes and returns, in the three forms the emitters
//! need: as the `Wire` endpoint's extractors, as the `HostadminApi` method's
//! typed arguments, and as the adapter's steps from one to the other.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::emit::params::{names, param_set};
use crate::emit::types::Types;
use crate::error::Error;
use crate::model::{MediaType, Operation, ParamLocation, ResponseKind};
use crate::naming::type_name;

/// An operation's inputs.
#[derive(Default)]
pub(crate) struct Inputs {
    /// The parameter structs.
    pub param_sets: TokenStream,
    /// `name: Extractor<T>`, for the `Wire` endpoint.
    pub wire: Vec<TokenStream>,
    /// `name: T`, for the `HostadminApi` method.
    pub api: Vec<TokenStream>,
    /// The adapter's statements turning an extractor into its value.
    pub takes: Vec<TokenStream>,
    /// The variables the adapter passes on.
    pub passes: Vec<Ident>,
    /// The body's media type, when it is not JSON (for `#[endpoint]`).
    pub content_type: Option<&'static str>,
}

impl Inputs {
    pub(crate) fn of(op: &Operation, types: &mut Types) -> Result<Self, Error> {
        let mut inputs = Inputs::default();
        for location in ParamLocation::ALL {
            inputs.add_params(op, location);
        }
        inputs.add_body(op, types)?;
        Ok(inputs)
    }

    fn add_params(&mut self, op: &Operation, location: ParamLocation) {
        let Some(set) = param_set(op, location) else { return };
        let ident = set.ident;
        let var = format_ident!("{}", names(location).1);
        self.param_sets.extend(set.code);
        self.wire.push(quote!(#var: crate::wire::Params<#ident>));
        self.api.push(quote!(#var: #ident));
        self.takes.push(quote!(let #var = #var.take(&mut problems);));
        self.passes.push(var);
    }

    fn add_body(&mut self, op: &Operation, types: &mut Types) -> Result<(), Error> {
        let Some(body) = &op.body else { return Ok(()) };
        let ty = types.component(&body.component)?;
        if body.media_type != MediaType::Json {
            self.content_type = Some(body.media_type.mime());
        }
        self.wire.push(quote!(body: crate::wire::Body<#ty>));
        let variant = format_ident!("{}", type_name(&op.id));
        // The checks see who asks, so that they read nothing on behalf of a
        // caller the operation will refuse (see `HostadminApi::check_body`).
        let principal = match super::security::authenticate(&op.security) {
            Some(_) => quote!(Some(&principal)),
            None => quote!(None),
        };
        let check = quote! {
            body.refused()?;
            if let Some(json) = body.json() {
                problems.extend(S::check_body(&rqctx, #principal, Operation::#variant, json).await?);
            }
        };
        // Bodies with read-only fields reach the handler as `Claimed`.
        if body.read_only.is_empty() {
            self.api.push(quote!(body: #ty));
            self.takes.push(quote!(#check let body = body.take(&mut problems);));
        } else {
            self.api.push(quote!(body: crate::wire::Claimed<#ty>));
            self.takes.push(quote!(#check let body = body.take_claimed(&mut problems);));
        }
        self.passes.push(format_ident!("body"));
        Ok(())
    }

    /// The adapter's check: every input taken, all problems reported at once.
    pub(crate) fn check(&self) -> TokenStream {
        if self.passes.is_empty() {
            return quote!();
        }
        let (takes, passes) = (&self.takes, &self.passes);
        quote! {
            let mut problems = Vec::new();
            #(#takes)*
            let (#(Some(#passes)),*,) = (#(#passes),*,) else {
                return Err(crate::wire::Problem::Invalid(problems).into());
            };
            if !problems.is_empty() {
                return Err(crate::wire::Problem::Invalid(problems).into());
            }
        }
    }
}

/// An operation's success, as Dropshot and the trait see it.
pub(crate) struct Output {
    /// The `Wire` endpoint's success type.
    pub wire: TokenStream,
    /// The `HostadminApi` method's success type.
    pub api: TokenStream,
    /// The expression turning the method's `out` into `wire`.
    pub wrap: TokenStream,
}

impl Output {
    pub(crate) fn of(op: &Operation, types: &mut Types) -> Result<Self, Error> {
        let success = &op.success;
        let body = match &success.schema {
            Some(schema) => {
                let pointer = format!(
                    "/paths/{}/{}/responses/{}/content/application~1json/schema",
                    crate::refs::escape(&op.path),
                    op.method.key(),
                    success.kind.status()
                );
                Some(types.type_of(schema, &format!("{}Response", type_name(&op.id)), pointer)?)
            }
            None => None,
        };
        let plain = Self::plain(success.kind, body);
        Ok(if success.headers { plain.with_headers() } else { plain })
    }

    fn plain(kind: ResponseKind, body: Option<TokenStream>) -> Self {
        let t = body.unwrap_or_else(|| quote!(()));
        let (wire, wrap) = match kind {
            ResponseKind::Ok => (quote!(::dropshot::HttpResponseOk<#t>), quote!(::dropshot::HttpResponseOk(out))),
            ResponseKind::Created => {
                (quote!(::dropshot::HttpResponseCreated<#t>), quote!(::dropshot::HttpResponseCreated(out)))
            }
            ResponseKind::Accepted => {
                (quote!(::dropshot::HttpResponseAccepted<#t>), quote!(::dropshot::HttpResponseAccepted(out)))
            }
            ResponseKind::Deleted => (
                quote!(::dropshot::HttpResponseDeleted),
                quote!({
                    let () = out;
                    ::dropshot::HttpResponseDeleted()
                }),
            ),
            ResponseKind::UpdatedNoContent => (
                quote!(::dropshot::HttpResponseUpdatedNoContent),
                quote!({
                    let () = out;
                    ::dropshot::HttpResponseUpdatedNoContent()
                }),
            ),
        };
        Output { wire, api: t, wrap }
    }

    /// The same success with documented response headers.
    fn with_headers(self) -> Self {
        let Output { wire, api, wrap } = self;
        Output {
            wire: quote!(::dropshot::HttpResponseHeaders<#wire>),
            api: quote!(crate::wire::WithHeaders<#api>),
            wrap: quote! {{
                let crate::wire::WithHeaders { body: out, headers } = out;
                let mut response = ::dropshot::HttpResponseHeaders::new_unnamed(#wrap);
                response.headers_mut().extend(headers);
                response
            }},
        }
    }
}
