//! Notes: a small app built on the `pixie` library alone. A public home page,
//! a `/notes` page behind `<RequireAuth>` that calls a protected API with the
//! access token, and logout. Its callback lives at `/auth/callback`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use pixie::{use_auth, AuthConfig, AuthProvider, HttpRequest, RequireAuth, SignedIn, SignedOut};

fn main() {
    console_error_panic_hook::set_once();
    mount_to_body(|| {
        view! {
            <AuthProvider config=AuthConfig::from_url("/config.json")>
                <Router>
                    <Nav/>
                    <main>
                        <Routes fallback=|| view! { <p>"Nothing here."</p> }>
                            <Route path=path!("/") view=Home/>
                            <Route path=path!("/notes") view=|| view! {
                                <RequireAuth loading=|| view! { <p id="loading">"Signing you in…"</p> }>
                                    <Notes/>
                                </RequireAuth>
                            }/>
                        </Routes>
                    </main>
                </Router>
            </AuthProvider>
        }
    });
}

#[component]
fn Nav() -> impl IntoView {
    let auth = use_auth();
    view! {
        <nav>
            <A href="/">"Home"</A>
            <A href="/notes">"My notes"</A>
            <span class="who">
                <SignedIn>
                    <span id="who">{move || auth.sub()}</span> " "
                    <button on:click=move |_| auth.logout()>"Log out"</button>
                </SignedIn>
                <SignedOut>
                    <button on:click=move |_| auth.login_with("/notes")>"Log in"</button>
                </SignedOut>
            </span>
        </nav>
    }
}

#[component]
fn Home() -> impl IntoView {
    let auth = use_auth();
    view! {
        <h1>"Notes"</h1>
        <p id="home">"Anyone can read this page. Your notes are behind a login."</p>
        {move || auth.notice().map(|notice| view! { <p id="notice" data-kind=notice.kind()>{notice.text()}</p> })}
    }
}

/// What the protected API answered.
#[derive(Clone)]
enum Answer {
    Waiting,
    Ok(String),
    Failed(String),
}

#[component]
fn Notes() -> impl IntoView {
    let auth = use_auth();
    let answer = RwSignal::new(Answer::Waiting);
    let api_url = auth.provider().and_then(|provider| provider.config.api_url.clone());
    if let Some(url) = api_url {
        spawn_local(async move {
            answer.set(match auth.fetch(HttpRequest::new("GET", url)).await {
                Ok(response) if response.status == 200 => Answer::Ok(response.body),
                Ok(response) => Answer::Failed(format!("HTTP {}", response.status)),
                Err(error) => Answer::Failed(error.to_string()),
            });
        });
    }
    view! {
        <h1>"My notes"</h1>
        <p>"Only you can see this page, " {move || auth.sub()} "."</p>
        <h2>"From the protected API"</h2>
        {move || match answer.get() {
            Answer::Waiting => view! { <p>"Calling the API…"</p> }.into_any(),
            Answer::Ok(body) => view! { <pre id="api-answer" data-state="ok">{body}</pre> }.into_any(),
            Answer::Failed(why) => view! { <p id="api-answer" data-state="error" role="alert">{why}</p> }.into_any(),
        }}
    }
}
