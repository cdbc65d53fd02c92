//! The thin browser layer: the only code that touches web_sys, js_sys or fetch.
//! It does IO and nothing else; every decision is in `pixie_core`.

pub(crate) mod broadcast;
pub(crate) mod clock;
pub(crate) mod crypto;
pub(crate) mod dpop_key;
pub(crate) mod fetch;
pub(crate) mod join;
pub(crate) mod locks;
pub(crate) mod navigation;
pub(crate) mod random;
pub(crate) mod storage;
