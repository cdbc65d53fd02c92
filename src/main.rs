fn main() {
    console_error_panic_hook::set_once();
    pixie_demo::mark_start();
    leptos::mount::mount_to_body(pixie_demo::App);
}
