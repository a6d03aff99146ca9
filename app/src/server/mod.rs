//! Server-only code: database access, password hashing, sessions. Compiled with the `ssr` feature.

pub mod context;
pub mod db;
pub mod passwords;
pub mod sessions;
pub mod throttle;
pub mod time;
pub mod users;

pub use context::{AppContext, ClientIp, Clock, FixedClock, Settings, SystemClock};
pub use db::Db;
pub mod deadlines;
pub mod decision;
pub mod demandes;
pub mod documents;
pub mod ephoto;
pub mod handover;
pub mod outbox;
pub mod pieces;
pub mod retention;
pub mod storage;
pub mod tokens;
