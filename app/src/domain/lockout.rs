//! Failed-login arithmetic: after too many failures within a window, logins are refused for a while.
//! Pure functions of the failure timestamps and the current instant (Unix seconds), so a test can
//! move the clock freely.

/// A limit: `max_failures` within `window_secs` lock for `lock_secs` from the last failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub max_failures: usize,
    pub window_secs: i64,
    pub lock_secs: i64,
}

/// Per account: 10 failures within an hour lock the account for 15 minutes.
pub const ACCOUNT: Policy = Policy {
    max_failures: 10,
    window_secs: 3600,
    lock_secs: 15 * 60,
};

/// Per client address: 50 failures within an hour, whatever the accounts tried, block that
/// address for 15 minutes (a driving school shares one address between several staff members).
pub const IP: Policy = Policy {
    max_failures: 50,
    window_secs: 3600,
    lock_secs: 15 * 60,
};

impl Policy {
    /// How far back failures matter at `now`: a lock can only come from failures that recent.
    pub fn lookback_secs(&self) -> i64 {
        self.window_secs + self.lock_secs
    }

    /// The instant until which logins are refused, if they are at `now`.
    ///
    /// A failure at instant `f` locks when, counting it, `max_failures` failures happened in
    /// `(f - window, f]`; the lock then lasts until `f + lock`. Attempts refused because of a
    /// lock are not recorded as failures, so a lock ends on time even under attack.
    pub fn locked_until(&self, failures: &[i64], now: i64) -> Option<i64> {
        let mut sorted: Vec<i64> = failures.iter().copied().filter(|f| *f <= now).collect();
        sorted.sort_unstable();
        let mut until = None;
        for (i, &f) in sorted.iter().enumerate() {
            let in_window = sorted[..=i]
                .iter()
                .filter(|&&g| g > f - self.window_secs)
                .count();
            if in_window >= self.max_failures {
                until = Some(f + self.lock_secs);
            }
        }
        until.filter(|u| *u > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000;

    fn failures_every(n: usize, step: i64) -> Vec<i64> {
        (0..n as i64).map(|i| T0 + i * step).collect()
    }

    #[test]
    fn nine_failures_do_not_lock() {
        let f = failures_every(9, 60);
        assert_eq!(ACCOUNT.locked_until(&f, T0 + 600), None);
    }

    #[test]
    fn the_tenth_failure_within_an_hour_locks_for_fifteen_minutes() {
        let f = failures_every(10, 60); // last failure at T0 + 540
        let last = T0 + 540;
        assert_eq!(ACCOUNT.locked_until(&f, last), Some(last + 900));
        assert_eq!(ACCOUNT.locked_until(&f, last + 899), Some(last + 900));
        // Fifteen minutes later, the account opens again.
        assert_eq!(ACCOUNT.locked_until(&f, last + 900), None);
    }

    #[test]
    fn failures_spread_over_more_than_an_hour_do_not_lock() {
        // Ten failures, 401 seconds apart: the first and the tenth are 3609 s apart.
        let f = failures_every(10, 401);
        assert_eq!(ACCOUNT.locked_until(&f, T0 + 3609), None);
        // 400 seconds apart: the tenth is 3600 s after the first, which is outside (f - 1h, f].
        let f = failures_every(10, 400);
        assert_eq!(ACCOUNT.locked_until(&f, T0 + 3600), None);
        // 399 seconds apart: all ten fall within the hour.
        let f = failures_every(10, 399);
        assert_eq!(ACCOUNT.locked_until(&f, T0 + 3591), Some(T0 + 3591 + 900));
    }

    #[test]
    fn a_failure_after_the_lock_locks_again() {
        let mut f = failures_every(10, 10); // locked until T0 + 90 + 900
        let reopened = T0 + 90 + 900;
        assert_eq!(ACCOUNT.locked_until(&f, reopened), None);
        f.push(reopened + 5);
        assert_eq!(
            ACCOUNT.locked_until(&f, reopened + 5),
            Some(reopened + 5 + 900)
        );
    }

    #[test]
    fn order_and_future_entries_do_not_matter() {
        let mut f = failures_every(10, 30);
        f.reverse();
        assert_eq!(ACCOUNT.locked_until(&f, T0 + 270), Some(T0 + 270 + 900));
        // A failure recorded "in the future" (clock skew between instances) is ignored.
        let f = vec![T0 + 10_000; 10];
        assert_eq!(ACCOUNT.locked_until(&f, T0), None);
    }

    #[test]
    fn the_address_limit_is_higher() {
        let f = failures_every(49, 1);
        assert_eq!(IP.locked_until(&f, T0 + 48), None);
        let f = failures_every(50, 1);
        assert_eq!(IP.locked_until(&f, T0 + 49), Some(T0 + 49 + 900));
    }
}
