//! What other tabs (or any script on the origin) post on the channel.
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pixie_core::session::{on_tab_message, Receiver, TabMessage};

fuzz_target!(|data: &[u8]| {
    let Some(text) = common::text(data) else { return };
    let Some(message) = TabMessage::from_json(text) else { return };
    assert_eq!(TabMessage::from_json(&message.to_json()).as_ref(), Some(&message), "a message reads back");
    for shares_tokens in [false, true] {
        let _ = on_tab_message(message.clone(), Receiver { current: None, shares_tokens, client_id: common::CLIENT_ID });
    }
});
