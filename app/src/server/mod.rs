//! Server-only code: every query and transaction, file storage, password hashing, sessions.
//! Compiled with the `ssr` feature. Functions take what they need explicitly (database,
//! settings, ids, `now`); only `context` and `sessions::current` read the request context.

pub mod activation;
pub mod assets;
pub mod audit;
pub mod bench;
pub mod context;
pub mod db;
pub mod decision;
pub mod demandes;
pub mod documents;
pub mod ephoto;
pub mod espace;
pub mod franceconnect;
pub mod handover;
pub mod instruction;
pub mod jobs;
pub mod keys;
pub mod mots;
pub mod outbox;
pub mod passwords;
pub mod pieces;
pub mod reception;
pub mod sessions;
pub mod storage;
pub mod supervision;
pub mod throttle;
pub mod time;
pub mod tokens;
pub mod users;

pub use context::{AppContext, ClientIp, Clock, FixedClock, FlashKey, Settings, SystemClock};
pub use db::Db;
