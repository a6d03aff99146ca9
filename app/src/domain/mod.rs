//! Domain rules: plain Rust, no IO, compiled into both the server and the browser.

pub mod account;
pub mod activation;
pub mod communes;
pub mod date;
pub mod deadlines;
pub mod demande;
pub mod departements;
pub mod eligibility;
pub mod formats;
pub mod identite;
pub mod instruction;
pub mod lockout;
pub mod messages;
pub mod password;
pub mod session;
pub mod steps;
pub mod upload;
