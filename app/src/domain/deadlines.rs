//! The deadlines of the process, as pure rules on Unix seconds (tested at their boundaries).

use super::activation::ACTIVATION_VALIDITY_SECS;

const DAY: i64 = 86_400;

/// An account created by a school and not activated is deleted, with its demande, once its last
/// activation link has expired: 7 days after that link was sent (a resent link restarts the 7
/// days from its own sending).
pub fn activation_expired(link_sent_at: i64, now: i64) -> bool {
    now >= link_sent_at + ACTIVATION_VALIDITY_SECS
}

/// Reminders to activate: on day 3 and day 6 after the link was sent.
pub const ACTIVATION_REMINDER_DAYS: [i64; 2] = [3, 6];

/// The reminders due at `now` for a link sent at `sent_at` (day numbers), given those sent.
pub fn activation_reminders_due(sent_at: i64, now: i64, already: &[i64]) -> Vec<i64> {
    ACTIVATION_REMINDER_DAYS
        .iter()
        .copied()
        .filter(|d| now >= sent_at + d * DAY && !activation_expired(sent_at, now))
        .filter(|d| !already.contains(d))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENT: i64 = 1_795_683_600;

    #[test]
    fn the_account_lives_seven_days_to_the_second() {
        let minute = 60;
        assert!(!activation_expired(SENT, SENT + 7 * DAY - minute)); // 6 d 23 h 59
        assert!(activation_expired(SENT, SENT + 7 * DAY)); // 7 d 0 h 0
        assert!(activation_expired(SENT, SENT + 7 * DAY + minute)); // 7 d 0 h 1
    }

    #[test]
    fn a_resent_link_counts_from_its_own_sending() {
        let resent = SENT + 5 * DAY;
        assert!(!activation_expired(resent, SENT + 7 * DAY + 1));
        assert!(activation_expired(resent, resent + 7 * DAY));
    }

    #[test]
    fn reminders_on_day_three_and_six_once() {
        assert!(activation_reminders_due(SENT, SENT + 3 * DAY - 1, &[]).is_empty());
        assert_eq!(activation_reminders_due(SENT, SENT + 3 * DAY, &[]), vec![3]);
        assert!(activation_reminders_due(SENT, SENT + 4 * DAY, &[3]).is_empty());
        assert_eq!(
            activation_reminders_due(SENT, SENT + 6 * DAY, &[3]),
            vec![6]
        );
        // A server down for days sends what is still useful, once.
        assert_eq!(
            activation_reminders_due(SENT, SENT + 6 * DAY + 5, &[]),
            vec![3, 6]
        );
        assert!(activation_reminders_due(SENT, SENT + 7 * DAY, &[]).is_empty());
    }
}
