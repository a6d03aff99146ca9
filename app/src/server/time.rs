//! Dates shown to users: French format, Paris time.

use jiff::{tz::TimeZone, Timestamp};

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC)
}

/// « 26/11/2026 à 23:05 »
pub fn format_date_time(unix_secs: i64) -> String {
    match Timestamp::from_second(unix_secs) {
        Ok(ts) => ts
            .to_zoned(paris())
            .strftime("%d/%m/%Y à %H:%M")
            .to_string(),
        Err(_) => String::new(),
    }
}

/// « 23:05 »
pub fn format_time(unix_secs: i64) -> String {
    match Timestamp::from_second(unix_secs) {
        Ok(ts) => ts.to_zoned(paris()).strftime("%H:%M").to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_shown_in_paris_time() {
        // 2026-11-26T22:05:00Z is 23:05 in Paris (UTC+1 in winter).
        let ts = Timestamp::from_second(0).unwrap();
        let t: Timestamp = "2026-11-26T22:05:00Z".parse().unwrap();
        assert_eq!(format_date_time(t.as_second()), "26/11/2026 à 23:05");
        // Summer time: UTC+2.
        let t: Timestamp = "2026-07-14T08:00:00Z".parse().unwrap();
        assert_eq!(format_time(t.as_second()), "10:00");
        assert_eq!(format_date_time(ts.as_second()), "01/01/1970 à 01:00");
    }
}

/// The calendar day in Paris at `unix_secs` (filing dates, ages).
pub fn date_paris(unix_secs: i64) -> crate::domain::date::Date {
    let fallback = crate::domain::date::Date::from_unix(unix_secs);
    match Timestamp::from_second(unix_secs) {
        Ok(ts) => {
            let z = ts.to_zoned(paris());
            crate::domain::date::Date::new(z.year() as i32, z.month() as u8, z.day() as u8)
                .unwrap_or(fallback)
        }
        Err(_) => fallback,
    }
}

/// « 261126 » (YYMMDD, Paris), for demande numbers.
pub fn yymmdd_paris(unix_secs: i64) -> String {
    let d = date_paris(unix_secs);
    format!("{:02}{:02}{:02}", d.year % 100, d.month, d.day)
}

/// « 26/11/2026 »
pub fn format_date(unix_secs: i64) -> String {
    date_paris(unix_secs).french()
}
