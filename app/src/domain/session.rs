//! Session lifetime rules: 30 minutes without activity, 12 hours at most, enforced by the server.

pub const IDLE_SECS: i64 = 30 * 60;
pub const ABSOLUTE_SECS: i64 = 12 * 3600;
/// A session's last activity is written at most this often, so reading pages costs no write each time.
pub const TOUCH_EVERY_SECS: i64 = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionState {
    /// Valid; `touch` says whether to record the activity now.
    Active {
        touch: bool,
    },
    IdleExpired,
    AbsoluteExpired,
}

/// The state at `now` of a session created at `created_at` and last used at `last_seen_at`.
pub fn session_state(created_at: i64, last_seen_at: i64, now: i64) -> SessionState {
    if now >= created_at + ABSOLUTE_SECS {
        SessionState::AbsoluteExpired
    } else if now >= last_seen_at + IDLE_SECS {
        SessionState::IdleExpired
    } else {
        SessionState::Active {
            touch: now - last_seen_at >= TOUCH_EVERY_SECS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000;

    #[test]
    fn idle_expiry_is_thirty_minutes_after_the_last_activity() {
        assert_eq!(
            session_state(T0, T0, T0 + IDLE_SECS - 1),
            SessionState::Active { touch: true }
        );
        assert_eq!(
            session_state(T0, T0, T0 + IDLE_SECS),
            SessionState::IdleExpired
        );
        // Activity moves the idle deadline.
        assert_eq!(
            session_state(T0, T0 + 1000, T0 + 1000 + IDLE_SECS - 1),
            SessionState::Active { touch: true }
        );
    }

    #[test]
    fn absolute_expiry_wins_over_activity() {
        let last = T0 + ABSOLUTE_SECS - 10;
        assert_eq!(
            session_state(T0, last, T0 + ABSOLUTE_SECS - 1),
            SessionState::Active { touch: false }
        );
        assert_eq!(
            session_state(T0, last, T0 + ABSOLUTE_SECS),
            SessionState::AbsoluteExpired
        );
    }

    #[test]
    fn activity_is_recorded_at_most_once_a_minute() {
        assert_eq!(
            session_state(T0, T0, T0 + 59),
            SessionState::Active { touch: false }
        );
        assert_eq!(
            session_state(T0, T0, T0 + 60),
            SessionState::Active { touch: true }
        );
    }
}
