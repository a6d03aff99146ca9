//! What the whole page tree can reach through the Leptos context.

pub mod services;
pub mod user;
