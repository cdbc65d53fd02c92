//! Refreshing tokens (RFC 6749 §6) and deciding when to.

use crate::encoding::form_encode;
use crate::http::HttpRequest;
use crate::secret::RefreshToken;

/// A public client's refresh: no secret, the client_id identifies it (RFC 6749 §6).
pub fn refresh_request(refresh_token: &RefreshToken, client_id: &str, token_endpoint: &str) -> HttpRequest {
    let body = form_encode([
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.secret()),
        ("client_id", client_id),
    ]);
    HttpRequest::form_post(token_endpoint, body)
}

/// The least wait before a timed refresh: a provider that issues tokens for a
/// second (or for none) cannot make the page refresh in a loop.
pub const MIN_REFRESH_DELAY_MS: f64 = 2_000.0;

/// At most this many timed refreshes in any minute; the next waits.
pub const MAX_REFRESHES_PER_MINUTE: usize = 4;

/// Milliseconds from `now_ms` until the refresh should run: `margin_secs` before
/// expiry, but never in the first two thirds of the token's life, so a short-lived
/// token with a large margin does not refresh in a loop; and never sooner than
/// [`MIN_REFRESH_DELAY_MS`].
pub fn refresh_delay_ms(received_at_ms: f64, expires_at_ms: f64, margin_secs: u32, now_ms: f64) -> f64 {
    let lifetime_ms = (expires_at_ms - received_at_ms).max(0.0);
    let margin_ms = (f64::from(margin_secs) * 1000.0).min(lifetime_ms / 3.0);
    (expires_at_ms - margin_ms - now_ms).max(MIN_REFRESH_DELAY_MS)
}

/// `delay_ms`, or longer if [`MAX_REFRESHES_PER_MINUTE`] timed refreshes
/// already ran in the minute before the refresh would (`recent_ms`: when they
/// ran, oldest first).
pub fn throttled_delay_ms(delay_ms: f64, recent_ms: &[f64], now_ms: f64) -> f64 {
    const MINUTE_MS: f64 = 60_000.0;
    let due = now_ms + delay_ms;
    let in_window: Vec<f64> = recent_ms.iter().copied().filter(|at| due - at < MINUTE_MS).collect();
    match in_window.len().checked_sub(MAX_REFRESHES_PER_MINUTE) {
        // The refresh may run once the oldest that counts against it is a minute old.
        Some(oldest) => (in_window[oldest] + MINUTE_MS - now_ms).max(delay_ms),
        None => delay_ms,
    }
}

/// Back-off after a network failure: 1 s, 2 s, 4 s … capped at 30 s.
pub fn retry_delay_ms(attempt: u32) -> f64 {
    (1000.0 * 2f64.powi(attempt.min(5) as i32)).min(30_000.0)
}

/// The longest delay `setTimeout` takes: 2^31 − 1 ms, about 24.8 days. A
/// longer one overflows the browser's 32-bit timer (it throws, or fires at once).
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// One arming of the refresh timer for a refresh due in `delay_ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimerStep {
    /// Refresh when the timer fires.
    RefreshIn(f64),
    /// Too far for one timer: wake after this long and plan again.
    CheckAgainIn(f64),
}

/// Split a long wait into timer-sized steps.
pub fn timer_step(delay_ms: f64) -> TimerStep {
    if !delay_ms.is_finite() || delay_ms > MAX_TIMER_MS {
        TimerStep::CheckAgainIn(MAX_TIMER_MS)
    } else {
        TimerStep::RefreshIn(delay_ms.max(0.0))
    }
}
