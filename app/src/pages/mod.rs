pub mod demande;
pub mod ecole;
pub mod home;
pub mod info;
pub mod login;
pub mod monespace;
pub mod not_found;
pub mod pro;
