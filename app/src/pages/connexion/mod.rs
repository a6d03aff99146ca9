//! `/connexion/…`: the login pages and the recovery of access.

pub mod changer;
pub mod login;
pub mod oubli;
pub mod reinitialiser;
