fn main() {
    console_error_panic_hook::set_once();
    pixie::browser::navigation::mark("app:start");
    leptos::mount::mount_to_body(pixie::App);
}
