//! One component per file.

mod claims_table;
mod error_panel;
mod expiry_countdown;
mod login_panel;
mod progress_panel;
mod session_panel;
mod status_badge;
mod userinfo_panel;

pub use claims_table::ClaimsTable;
pub use error_panel::ErrorPanel;
pub use expiry_countdown::ExpiryCountdown;
pub use login_panel::LoginPanel;
pub use progress_panel::ProgressPanel;
pub use session_panel::SessionPanel;
pub use status_badge::StatusBadge;
pub use userinfo_panel::UserinfoPanel;
