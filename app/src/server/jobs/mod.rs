//! The scheduled jobs' work on the database (the server crate's `jobs` runs them): each item
//! is handled in its own transaction whose first statement claims it, so several instances may
//! run them at once and each thing happens once.

pub mod complements;
pub mod expiry;
pub mod paper;
pub mod reminders;
pub mod retention;
