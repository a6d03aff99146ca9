//! What the whole page tree can reach through the Leptos context.

pub mod user;
