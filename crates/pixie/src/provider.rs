//! `<AuthProvider>`: owns the login for the components inside it.

use leptos::prelude::*;

use crate::browser::navigation;
use crate::config::AuthConfig;
use crate::{flow, Auth};

/// Runs the login for its children, and gives them [`crate::use_auth`].
///
/// It handles the provider's answer itself, at the path of the configured
/// `redirect_uri` (`/callback` by default): before its children mount, it
/// takes the response out of the address bar and puts the page where the
/// login will land (the page it started from), so a router inside sees the
/// final URL. The code exchange then runs while the state is `Exchanging`.
///
/// ```no_run
/// use leptos::prelude::*;
/// use pixie::{AuthConfig, AuthProvider};
///
/// #[component]
/// fn App() -> impl IntoView { "…" }
///
/// fn main() {
///     mount_to_body(|| view! {
///         <AuthProvider config=AuthConfig::from_url("/config.json")>
///             <App/>
///         </AuthProvider>
///     });
/// }
/// ```
#[component]
pub fn AuthProvider(
    /// Where the configuration comes from.
    config: AuthConfig,
    /// The app.
    children: Children,
    /// Shown in the rare case the children must wait for the configuration
    /// before they mount (a callback in a tab that has not loaded it yet).
    #[prop(optional, into)]
    fallback: ViewFn,
) -> impl IntoView {
    let auth = Auth::new(config.0, navigation::origin());
    provide_context(auth);
    let ready = flow::start(auth);
    if ready.get_untracked() {
        return children().into_any();
    }
    let children = StoredValue::new_local(Some(children));
    (move || {
        if ready.get() {
            children.try_update_value(Option::take).flatten().map(|children| children()).into_any()
        } else {
            fallback.run()
        }
    })
    .into_any()
}
