pub mod fields;
pub mod forms;
pub mod guard;
pub mod layout;
pub mod layout_bits;
pub mod loader;
pub mod recap;
