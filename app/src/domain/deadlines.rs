//! The deadlines of the process, as pure rules on Unix seconds (tested at their boundaries).

use super::activation::ACTIVATION_VALIDITY_SECS;

pub const DAY: i64 = 86_400;

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

/// The latest deadline of an activation link that has reached reminder day `day` at `now`
/// (sent `day` days ago or more): the links to remind are those whose deadline is at most this.
pub fn activation_reminder_deadline_bound(now: i64, day: i64) -> i64 {
    now + ACTIVATION_VALIDITY_SECS - day * DAY
}

/// « Renvoyer le lien »: a school may send a new activation link twice per demande. The new
/// link kills the previous ones and is valid 7 days from its own sending, so each resend
/// restarts the 7 days: at most 3 × 7 = 21 days from the first link.
pub const MAX_LINK_RESENDS: i64 = 2;

/// How many more links the school may still send, `done` having been sent already.
pub fn link_resends_left(done: i64) -> i64 {
    (MAX_LINK_RESENDS - done).max(0)
}

/// The paper photo-signature form: a reminder to the candidate on day 10 after their
/// validation, if the form has not arrived.
pub const PAPER_REMINDER_DAY: i64 = 10;

/// The instant the paper form must have reached the centre by: 15 days after the candidate's
/// validation.
pub fn paper_form_deadline(validated_at: i64) -> i64 {
    validated_at + super::demande::PAPER_FORM_DAYS * DAY
}

/// The paper form must have arrived 15 days after the candidate's validation.
pub fn paper_form_overdue(validated_at: i64, now: i64) -> bool {
    now >= paper_form_deadline(validated_at)
}

/// The instant the day-10 paper reminder falls due.
pub fn paper_reminder_at(validated_at: i64) -> i64 {
    validated_at + PAPER_REMINDER_DAY * DAY
}

/// The candidates whose paper form is overdue at `now` were validated before this instant.
pub fn paper_overdue_since(now: i64) -> i64 {
    now - super::demande::PAPER_FORM_DAYS * DAY
}

/// The candidates whose day-10 reminder is due at `now` were validated before this instant.
pub fn paper_reminder_since(now: i64) -> i64 {
    now - PAPER_REMINDER_DAY * DAY
}

/// The day-10 reminder is due (and still useful: the form is not overdue yet).
pub fn paper_reminder_due(validated_at: i64, now: i64) -> bool {
    now >= paper_reminder_at(validated_at) && !paper_form_overdue(validated_at, now)
}

/// When the activation link whose deadline is `deadline` was sent.
pub fn activation_link_sent_at(deadline: i64) -> i64 {
    deadline - ACTIVATION_VALIDITY_SECS
}

/// The deadline of an activation link sent at `sent_at`.
pub fn activation_deadline(sent_at: i64) -> i64 {
    sent_at + ACTIVATION_VALIDITY_SECS
}

/// The instant the reminder of day `day` falls due for a link sent at `sent_at`.
pub fn activation_reminder_at(sent_at: i64, day: i64) -> i64 {
    sent_at + day * DAY
}

/// E-photo codes are valid six months (183 days) after issue.
pub const EPHOTO_VALIDITY_SECS: i64 = 183 * DAY;

/// A FranceConnect login may stay ten minutes at the provider (its `state` and `nonce`).
pub const FRANCECONNECT_FLOW_SECS: i64 = 600;

/// When a FranceConnect login started at `started_at` expires.
pub fn franceconnect_flow_expiry(started_at: i64) -> i64 {
    started_at + FRANCECONNECT_FLOW_SECS
}

/// Logins under way (used or not) expired before this instant are forgotten.
pub fn franceconnect_flows_forgotten_before(now: i64) -> i64 {
    now - DAY
}

/// The last day an e-photo code issued at `created_at` may be used.
pub fn ephoto_valid_until(created_at: i64) -> i64 {
    created_at + EPHOTO_VALIDITY_SECS
}

/// Whether an e-photo code issued at `created_at` is too old at `now`.
pub fn ephoto_expired(created_at: i64, now: i64) -> bool {
    now - created_at > EPHOTO_VALIDITY_SECS
}

/// Codes issued after this instant are still valid at `now`.
pub fn ephoto_issued_since(now: i64) -> i64 {
    now - EPHOTO_VALIDITY_SECS
}

/// Whole days between `since` and `now` (how long a demande has waited in the queue).
pub fn days_waited(since: i64, now: i64) -> i64 {
    (now - since).max(0) / DAY
}

/// The school answers a request for a complement within 30 days by default (the centre may
/// set another delay: `PERMIS_DELAI_COMPLEMENT_JOURS`).
pub const COMPLEMENT_DAYS: i64 = 30;

/// The instant a complement asked at `asked_at` with `days` to answer is due.
pub fn complement_deadline(asked_at: i64, days: i64) -> i64 {
    asked_at + days * DAY
}

/// The school is reminded 7 days before the complement's deadline.
pub const COMPLEMENT_REMINDER_DAYS_BEFORE: i64 = 7;

/// The instant the reminder of a complement due at `deadline` falls due.
pub fn complement_reminder_at(deadline: i64) -> i64 {
    deadline - COMPLEMENT_REMINDER_DAYS_BEFORE * DAY
}

/// Past its deadline, a complement not sent back closes the demande (« classée sans suite »).
pub fn complement_overdue(deadline: i64, now: i64) -> bool {
    now >= deadline
}

/// The attestation d'inscription is valid 5 years from the registration (arrêté du 20 avril
/// 2012, art. 4): the same day five years later (28 February for a 29 February).
pub const ATTESTATION_VALID_YEARS: i32 = 5;

pub fn attestation_valid_until(registered_at: i64) -> super::date::Date {
    let d = super::date::Date::from_unix(registered_at);
    let year = d.year + ATTESTATION_VALID_YEARS;
    let day = d.day.min(super::date::days_in_month(year, d.month));
    super::date::Date {
        year,
        month: d.month,
        day,
    }
}

/// How long ended demandes and technical records are kept (README › Conservation).
pub mod retention {
    use super::DAY;

    /// A refused demande keeps its content 30 days: the school re-enters it with the
    /// candidate's correction in view. Then only a trace remains.
    pub const REFUSED_KEPT_DAYS: i64 = 30;
    /// Traces (number, dates, state — no personal data) of demandes that ended without going
    /// to instruction are kept one year, then deleted.
    pub const TRACE_KEPT_DAYS: i64 = 365;
    /// Used, revoked or expired one-time links (their hashes) and the hashes of links of
    /// deleted accounts: 30 days.
    pub const LINKS_KEPT_DAYS: i64 = 30;
    /// Records of job runs: 90 days.
    pub const JOB_RUNS_KEPT_DAYS: i64 = 90;
    /// Messages no longer attached to an account (schools' notices, deleted candidates): one
    /// year.
    pub const MESSAGES_KEPT_DAYS: i64 = 365;

    /// A draft nobody touched (no step saved, no file, nothing typed) for 90 days is deleted
    /// with its files: the school sees the date in its list beforehand.
    pub const DRAFT_KEPT_DAYS: i64 = 90;

    /// When an untouched draft last changed at `updated_at` goes.
    pub fn draft_deleted_at(updated_at: i64) -> i64 {
        updated_at + DRAFT_KEPT_DAYS * DAY
    }

    /// Files under `demandes/` that no piece refers to go a day after they were written.
    pub const ORPHAN_FILE_GRACE_SECS: i64 = DAY;

    /// What is older than this instant at `now` has been kept `days` days.
    pub fn kept_since(days: i64, now: i64) -> i64 {
        now - days * DAY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENT: i64 = 1_795_683_600;

    #[test]
    fn a_complement_is_due_after_its_delay_and_reminded_a_week_before() {
        let due = complement_deadline(SENT, COMPLEMENT_DAYS);
        assert_eq!(due - SENT, 30 * DAY);
        assert!(!complement_overdue(due, due - 1));
        assert!(complement_overdue(due, due));
        assert_eq!(due - complement_reminder_at(due), 7 * DAY);
    }

    /// The links the reminders job reads (deadline at most the bound) are exactly those with
    /// that reminder due, to the second.
    #[test]
    fn the_reminder_bound_selects_the_links_whose_day_has_come() {
        let deadline = activation_deadline(SENT);
        for day in ACTIVATION_REMINDER_DAYS {
            let on_time = SENT + day * DAY;
            assert!(deadline <= activation_reminder_deadline_bound(on_time, day));
            assert!(activation_reminders_due(SENT, on_time, &[]).contains(&day));
            assert!(deadline > activation_reminder_deadline_bound(on_time - 1, day));
            assert!(!activation_reminders_due(SENT, on_time - 1, &[]).contains(&day));
        }
    }

    #[test]
    fn the_attestation_is_valid_five_years_to_the_day() {
        use crate::domain::date::Date;
        // 2026-11-28 12:00 UTC.
        let at = Date::new(2026, 11, 28).unwrap().days_since_epoch() * DAY + 12 * 3600;
        assert_eq!(
            attestation_valid_until(at),
            Date::new(2031, 11, 28).unwrap()
        );
        let leap = Date::new(2028, 2, 29).unwrap().days_since_epoch() * DAY;
        assert_eq!(
            attestation_valid_until(leap),
            Date::new(2033, 2, 28).unwrap()
        );
    }

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
    fn two_resends_and_each_restarts_the_seven_days() {
        assert_eq!(link_resends_left(0), 2);
        assert_eq!(link_resends_left(1), 1);
        assert_eq!(link_resends_left(2), 0);
        assert_eq!(link_resends_left(5), 0);
        // First link on day 0, resent on day 6 and again on day 13: the account lives until
        // day 20 — never more than 21 days after the first link.
        let second = SENT + 6 * DAY;
        let third = SENT + 13 * DAY;
        assert!(!activation_expired(SENT, second)); // the resend revokes it; it had not expired
        assert!(!activation_expired(third, SENT + 20 * DAY - 1));
        assert!(activation_expired(third, SENT + 20 * DAY));
        let latest_possible = SENT + 7 * DAY - 1 + 7 * DAY - 1;
        assert!(activation_expired(latest_possible, SENT + 21 * DAY));
        // A reminder of the resent link comes on its own day 3 and day 6.
        assert!(activation_reminders_due(third, SENT + 15 * DAY, &[]).is_empty());
        assert_eq!(
            activation_reminders_due(third, SENT + 16 * DAY, &[]),
            vec![3]
        );
    }

    #[test]
    fn paper_form_reminder_on_day_ten_and_overdue_on_day_fifteen() {
        let minute = 60;
        assert!(!paper_reminder_due(SENT, SENT + 10 * DAY - minute)); // 9 d 23 h 59
        assert!(paper_reminder_due(SENT, SENT + 10 * DAY)); // day 10
        assert!(paper_reminder_due(SENT, SENT + 15 * DAY - minute)); // late server: still useful
        assert!(!paper_form_overdue(SENT, SENT + 15 * DAY - minute)); // 14 d 23 h 59
        assert!(paper_form_overdue(SENT, SENT + 15 * DAY)); // 15 d 0 h 0
        assert!(paper_form_overdue(SENT, SENT + 15 * DAY + minute));
        assert!(!paper_reminder_due(SENT, SENT + 15 * DAY)); // too late: the new state says it
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
