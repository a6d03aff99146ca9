//! `/monespace/…`: the candidate's pages — activation, « Demande à valider », « Mon espace »,
//! the review of a demande and its refusal.

pub mod a_valider;
pub mod activer;
pub mod demande;
pub mod monespace;
