//! Calendar dates without a time zone (birth dates, deadlines), and ages.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateProblem {
    Empty,
    Format,
    NotACalendarDay,
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        (1..=12)
            .contains(&month)
            .then_some(())
            .filter(|_| day >= 1 && day <= days_in_month(year, month))
            .map(|_| Date { year, month, day })
    }

    /// Reads `AAAA-MM-JJ` (what `<input type="date">` sends) or `JJ/MM/AAAA` (what people type).
    pub fn parse(raw: &str) -> Result<Date, DateProblem> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(DateProblem::Empty);
        }
        let parts: Vec<&str> = if s.contains('-') {
            s.split('-').collect()
        } else {
            let mut p: Vec<&str> = s.split('/').collect();
            p.reverse();
            p
        };
        let [y, m, d] = parts.as_slice() else {
            return Err(DateProblem::Format);
        };
        if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
            return Err(DateProblem::Format);
        }
        let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(y) && all_digits(m) && all_digits(d)) {
            return Err(DateProblem::Format);
        }
        let (y, m, d) = (
            y.parse::<i32>().map_err(|_| DateProblem::Format)?,
            m.parse::<u8>().map_err(|_| DateProblem::Format)?,
            d.parse::<u8>().map_err(|_| DateProblem::Format)?,
        );
        Date::new(y, m, d).ok_or(DateProblem::NotACalendarDay)
    }

    /// `AAAA-MM-JJ`
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `JJ/MM/AAAA`
    pub fn french(&self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }

    /// Age in whole years on `on`. A person born on 29 February becomes a year older on
    /// 1 March in common years (article 2 of the Civil Code counts full years).
    pub fn age_on(&self, on: Date) -> i32 {
        let mut age = on.year - self.year;
        if (on.month, on.day) < (self.month, self.day) {
            age -= 1;
        }
        age
    }

    /// Days since 1970-01-01 (proleptic Gregorian), for differences between dates.
    pub fn days_since_epoch(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days_since_epoch(z: i64) -> Date {
        let z = z + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        Date {
            year: (y + i64::from(m <= 2)) as i32,
            month: m,
            day: d,
        }
    }

    /// The date (UTC) of a Unix timestamp in seconds.
    pub fn from_unix(secs: i64) -> Date {
        Date::from_days_since_epoch(secs.div_euclid(86_400))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_input_formats_are_read() {
        assert_eq!(
            Date::parse("2009-03-14"),
            Ok(Date {
                year: 2009,
                month: 3,
                day: 14
            })
        );
        assert_eq!(
            Date::parse(" 14/03/2009 "),
            Ok(Date {
                year: 2009,
                month: 3,
                day: 14
            })
        );
        assert_eq!(
            Date::parse("4/3/2009"),
            Ok(Date {
                year: 2009,
                month: 3,
                day: 4
            })
        );
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(Date::parse(""), Err(DateProblem::Empty));
        assert_eq!(Date::parse("00/00/2009"), Err(DateProblem::NotACalendarDay));
        assert_eq!(Date::parse("31/04/2009"), Err(DateProblem::NotACalendarDay));
        assert_eq!(Date::parse("29/02/2009"), Err(DateProblem::NotACalendarDay));
        assert!(Date::parse("29/02/2008").is_ok());
        assert_eq!(Date::parse("2009-13-01"), Err(DateProblem::NotACalendarDay));
        assert_eq!(Date::parse("14-03-09"), Err(DateProblem::Format));
        assert_eq!(Date::parse("le 14 mars"), Err(DateProblem::Format));
        assert_eq!(Date::parse("+2009-03-14"), Err(DateProblem::Format));
    }

    #[test]
    fn ages_count_full_years() {
        let born = Date::new(2009, 3, 14).unwrap();
        assert_eq!(born.age_on(Date::new(2026, 3, 13).unwrap()), 16);
        assert_eq!(born.age_on(Date::new(2026, 3, 14).unwrap()), 17);
        let leap = Date::new(2008, 2, 29).unwrap();
        assert_eq!(leap.age_on(Date::new(2026, 2, 28).unwrap()), 17);
        assert_eq!(leap.age_on(Date::new(2026, 3, 1).unwrap()), 18);
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        for d in [-1_000_000, -1, 0, 59, 10_957, 20_000, 2_000_000] {
            assert_eq!(Date::from_days_since_epoch(d).days_since_epoch(), d);
        }
        assert_eq!(
            Date::from_unix(1_795_683_600),
            Date::new(2026, 11, 26).unwrap()
        );
    }
}
