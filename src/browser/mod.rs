//! The thin browser layer: the only code that touches web_sys, js_sys or fetch.

pub mod broadcast;
pub mod clipboard;
pub mod clock;
pub mod crypto;
pub mod fetch;
pub mod locks;
pub mod navigation;
pub mod random;
pub mod storage;
