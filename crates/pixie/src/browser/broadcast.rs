//! A BroadcastChannel to the other tabs of this origin.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent};

/// An open channel; closed when dropped (when its `<AuthProvider>` goes away).
pub(crate) struct Channel {
    channel: BroadcastChannel,
    _handler: Closure<dyn Fn(MessageEvent)>,
}

impl Channel {
    /// Open channel `name` and call `on_message` with every text message other tabs post.
    pub(crate) fn open(name: &str, on_message: impl Fn(String) + 'static) -> Option<Self> {
        let channel = BroadcastChannel::new(name).ok()?;
        let handler = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                on_message(text);
            }
        });
        channel.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        Some(Self { channel, _handler: handler })
    }

    pub(crate) fn post(&self, message: &str) {
        let _ = self.channel.post_message(&wasm_bindgen::JsValue::from_str(message));
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
