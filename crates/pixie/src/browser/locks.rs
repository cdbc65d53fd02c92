//! The Web Locks API (`navigator.locks`), so only one tab refreshes at a time.
//! web-sys has it only behind unstable flags, hence the reflection.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// Run `work` while holding the origin-wide lock `name`. Where the browser has
/// no Web Locks, or refuses the request before granting it, it runs unguarded:
/// one tab still works, it just is not serialised.
pub(crate) async fn with_lock<T, Fut>(name: &str, work: impl FnOnce() -> Fut + 'static) -> T
where
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    let request = web_sys::window()
        .and_then(|w| Reflect::get(&w.navigator(), &JsValue::from_str("locks")).ok())
        .filter(|locks| !locks.is_undefined())
        .and_then(|locks| {
            let request = Reflect::get(&locks, &JsValue::from_str("request")).ok()?;
            Some((locks, request.dyn_into::<Function>().ok()?))
        });
    let Some((locks, request)) = request else {
        return work().await;
    };

    // Shared so that whichever path runs the work can take it: the lock
    // callback, or this function if the lock is never granted.
    let work = Rc::new(RefCell::new(Some(work)));
    let output: Rc<RefCell<Option<T>>> = Rc::new(RefCell::new(None));
    // Resolved by the callback once the work is done, whatever happens to the
    // lock's own promise (it rejects early if another tab steals the lock).
    let mut finished: Option<Function> = None;
    let done = Promise::new(&mut |resolve, _reject| finished = Some(resolve));
    let (pending_work, slot) = (work.clone(), output.clone());
    // The lock is held until the promise this callback returns settles.
    let callback = wasm_bindgen::closure::Closure::once_into_js(move |_lock: JsValue| -> Promise {
        future_to_promise(async move {
            let work = pending_work.borrow_mut().take();
            if let Some(work) = work {
                *slot.borrow_mut() = Some(work().await);
            }
            if let Some(finished) = finished {
                let _ = finished.call0(&JsValue::UNDEFINED);
            }
            Ok(JsValue::UNDEFINED)
        })
    });
    let granted = request
        .call2(&locks, &JsValue::from_str(name), &callback)
        .ok()
        .and_then(|p| p.dyn_into::<Promise>().ok());
    if let Some(promise) = granted {
        let _ = JsFuture::from(promise).await;
    }
    if let Some(value) = output.borrow_mut().take() {
        return value;
    }
    let unstarted = work.borrow_mut().take();
    match unstarted {
        // Never granted: run it here.
        Some(work) => work().await,
        // Granted and still running (the lock's promise settled early): wait for it.
        None => {
            let _ = JsFuture::from(done).await;
            let value = output.borrow_mut().take();
            match value {
                Some(value) => value,
                // The callback resolves `done` only after storing the output.
                None => std::future::pending().await,
            }
        }
    }
}
