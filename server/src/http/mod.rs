//! The thin HTTP API beside the server functions: file upload and download, the e-photo
//! providers' endpoint, FranceConnect's redirects, the pages the server writes itself (verification, development
//! mailbox). Each module owns its `routes()`; the router merges them.

pub mod access;
pub mod documents;
pub mod ephoto;
pub mod franceconnect;
pub mod mailbox;
pub mod page;
pub mod uploads;
