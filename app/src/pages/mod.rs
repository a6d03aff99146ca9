//! The pages, one folder (or file) per area — the first word of their URL — as in `routes.rs`.
//! A page never imports another page: what two pages share lives in `components/`.

pub mod connexion;
pub mod ecole;
pub mod home;
pub mod info;
pub mod not_found;
pub mod pro;
pub mod usager;
