//! Secret newtypes. `Debug` and `Display` are redacted, and the value is reachable
//! only through `.secret()`, so a stray `{:?}`, `{}` or `format!` cannot leak it.

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value that must not be printed or logged.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The raw value. Call sites that use it are the audit list.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str("[redacted]")
            }
        }
    };
}

secret_type!(
    /// PKCE code_verifier (RFC 7636 §4.1). Deliberately not `Clone`: it is used once.
    CodeVerifier
);
secret_type!(
    /// The `state` value that binds a callback to the browser that started the login.
    #[derive(Clone)]
    State
);
secret_type!(
    /// The OIDC `nonce` that binds the ID token to this login.
    Nonce
);
secret_type!(
    /// Authorization code from the callback. Single use.
    AuthorizationCode
);
secret_type!(
    /// The OAuth access token: a bearer credential for the APIs it was issued for.
    #[derive(Clone)]
    AccessToken
);
secret_type!(
    /// The refresh token. With rotation, each one works once.
    #[derive(Clone)]
    RefreshToken
);
secret_type!(
    /// The compact-serialised ID token (a JWS).
    #[derive(Clone)]
    IdToken
);
