//! One component per file.

mod api_panel;
mod claims_table;
mod copy_button;
mod error_panel;
mod expiry_countdown;
mod login_panel;
mod notice_banner;
mod progress_panel;
mod refresh_status_line;
mod resume_status;
mod session_panel;
mod status_badge;
mod userinfo_panel;

pub use api_panel::{provide_api_state, ApiPanel, ApiState};
pub use claims_table::ClaimsTable;
pub use copy_button::CopyButton;
pub use error_panel::ErrorPanel;
pub use expiry_countdown::ExpiryCountdown;
pub use login_panel::LoginPanel;
pub use notice_banner::NoticeBanner;
pub use progress_panel::ProgressPanel;
pub use refresh_status_line::RefreshStatusLine;
pub use resume_status::ResumeStatus;
pub use session_panel::SessionPanel;
pub use status_badge::StatusBadge;
pub use userinfo_panel::UserinfoPanel;
