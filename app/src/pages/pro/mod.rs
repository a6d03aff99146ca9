//! The professional space (`/pro`): agents of the centres and administrators.

pub mod accueil;
pub mod instruction;
