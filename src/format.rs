//! Pure display helpers: human times without a date crate.

/// `2026-11-27 11:33:05 UTC` from seconds since the epoch (proleptic Gregorian).
pub fn utc_datetime(epoch_secs: i64) -> String {
    let days = epoch_secs.div_euclid(86_400);
    let secs_of_day = epoch_secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs_of_day / 3600,
        secs_of_day % 3600 / 60,
        secs_of_day % 60
    )
}

/// `4 min 05 s`, `59 s`, `1 h 02 min`; negative durations read as `expired`.
pub fn remaining(secs: i64) -> String {
    match secs {
        s if s <= 0 => "expired".to_owned(),
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min {:02} s", s / 60, s % 60),
        s => format!("{} h {:02} min", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_epoch_and_leap_day() {
        assert_eq!(utc_datetime(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_datetime(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc_datetime(1_700_000_000), "2023-11-14 22:13:20 UTC");
    }

    #[test]
    fn formats_remaining_time() {
        assert_eq!(remaining(-5), "expired");
        assert_eq!(remaining(59), "59 s");
        assert_eq!(remaining(245), "4 min 05 s");
        assert_eq!(remaining(3720), "1 h 02 min");
    }
}
