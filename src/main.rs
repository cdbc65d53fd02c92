fn main() {
    // Debug builds only: a release build aborts on a panic without formatting it
    // (panic=immediate-abort), so the hook would be bytes that never run.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    pixie_demo::mark_start();
    leptos::mount::mount_to_body(pixie_demo::App);
}
