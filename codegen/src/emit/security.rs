//! The `SecurityScheme` enum, and each operation's requirement as a constant
//! of it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::{KeyLocation, SecurityRequirement, SecurityScheme};
use crate::naming::type_name;

fn location_tokens(location: KeyLocation) -> TokenStream {
    match location {
        KeyLocation::Header => quote!(crate::wire::KeyIn::Header),
        KeyLocation::Cookie => quote!(crate::wire::KeyIn::Cookie),
        KeyLocation::Query => quote!(crate::wire::KeyIn::Query),
    }
}

fn location_word(location: KeyLocation) -> &'static str {
    match location {
        KeyLocation::Header => "header",
        KeyLocation::Cookie => "cookie",
        KeyLocation::Query => "query",
    }
}

/// The enum of the spec's schemes, sorted by name, with where each travels.
pub(crate) fn scheme_enum(schemes: &[SecurityScheme]) -> TokenStream {
    let mut schemes: Vec<&SecurityScheme> = schemes.iter().collect();
    schemes.sort_by(|a, b| a.name.cmp(&b.name));
    let variants: Vec<_> = schemes.iter().map(|s| format_ident!("{}", type_name(&s.name))).collect();
    let docs = schemes.iter().map(|s| format!("`{}`: the {} `{}`.", s.name, location_word(s.location), s.key));
    let locations = schemes.iter().map(|s| location_tokens(s.location));
    let keys = schemes.iter().map(|s| &s.key);
    quote! {
        /// The spec's security schemes.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum SecurityScheme {
            #(#[doc = #docs] #variants,)*
        }

        impl SecurityScheme {
            /// Where the scheme's credential travels.
            pub fn location(self) -> crate::wire::KeyIn {
                match self { #(SecurityScheme::#variants => #locations,)* }
            }
            /// The header, cookie or query name of the credential.
            pub fn key_name(self) -> &'static str {
                match self { #(SecurityScheme::#variants => #keys,)* }
            }
            /// The credential this scheme names in `request`, if sent.
            pub fn credential(self, request: &::dropshot::RequestInfo) -> Option<::std::borrow::Cow<'_, str>> {
                crate::wire::api_key(request, self.location(), self.key_name())
            }
        }
    }
}

/// The adapter's authentication step, or nothing for an anonymous operation.
pub(crate) fn authenticate(requirement: &SecurityRequirement) -> Option<TokenStream> {
    let SecurityRequirement::AnyOf(alternatives) = requirement else {
        return None;
    };
    let alternatives = alternatives.iter().map(|alt| {
        let schemes = alt.iter().map(|s| format_ident!("{}", type_name(s)));
        quote!(&[#(SecurityScheme::#schemes),*])
    });
    Some(quote! {
        const REQUIREMENT: &[&[SecurityScheme]] = &[#(#alternatives),*];
        let principal = S::authenticate(&rqctx, REQUIREMENT).await?;
    })
}
