//! A BroadcastChannel to the other tabs of this origin.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent};

const CHANNEL_NAME: &str = "pixie";

pub struct Channel(BroadcastChannel);

impl Channel {
    /// Open the channel and call `on_message` with every text message other tabs post.
    pub fn open(on_message: impl Fn(String) + 'static) -> Option<Self> {
        let channel = BroadcastChannel::new(CHANNEL_NAME).ok()?;
        let handler = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                on_message(text);
            }
        });
        channel.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        // The page keeps one channel for its whole life.
        handler.forget();
        Some(Self(channel))
    }

    pub fn post(&self, message: &str) {
        let _ = self.0.post_message(&wasm_bindgen::JsValue::from_str(message));
    }
}
