//! What several pages share: DSFR fields and forms, the layout, the guard, the page-data hook,
//! the recap of a demande and its documents. A page never imports another page.

pub mod documents;
pub mod fields;
pub mod forms;
pub mod franceconnect;
pub mod guard;
pub mod instruction;
pub mod layout;
pub mod loader;
pub mod recap;
pub mod table;
pub mod upload;
