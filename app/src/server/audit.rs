//! Security events: one log line each, under the target `securite`, inside the span of the
//! request that caused it (its `x-request-id`). Never a password, a token, an answer to the
//! secret question or a document's content; an identifiant or an address typed by someone is
//! masked (first character, length, and a short hash that groups attempts on one name without
//! keeping the name). The caller gives the client's address (the API floor reads it).

use std::net::IpAddr;

use sha2::{Digest, Sha256};

use crate::domain::account::Role;

/// Target of the security events (`RUST_LOG=securite=info` keeps them alone).
pub const TARGET: &str = "securite";

/// « ecole.gare » → « e…(10) #3f2a9c1d ».
pub fn mask(typed: &str) -> String {
    let folded = typed.trim().to_lowercase();
    let first: String = folded.chars().take(1).collect();
    let digest = Sha256::digest(folded.as_bytes());
    format!(
        "{first}…({}) #{}",
        folded.chars().count(),
        hex::encode(&digest[..4])
    )
}

fn address(ip: Option<IpAddr>) -> String {
    ip.map_or_else(|| "-".into(), |ip| ip.to_string())
}

fn role_name(role: Option<Role>) -> &'static str {
    role.map_or("-", Role::as_str)
}

pub fn login_succeeded(ip: Option<IpAddr>, user_id: i64, role: Option<Role>) {
    tracing::info!(
        target: TARGET,
        evenement = "connexion_reussie",
        compte = user_id,
        role = role_name(role),
        adresse = %address(ip),
        "connexion réussie"
    );
}

/// `motif`: `mot_de_passe` (wrong password or unknown account: the same to the user),
/// `compte_inactif`.
pub fn login_failed(
    ip: Option<IpAddr>,
    identifiant: &str,
    user_id: Option<i64>,
    motif: &'static str,
) {
    tracing::warn!(
        target: TARGET,
        evenement = "connexion_refusee",
        identifiant = %mask(identifiant),
        compte = user_id.unwrap_or(0),
        motif,
        adresse = %address(ip),
        "connexion refusée"
    );
}

pub fn account_locked(ip: Option<IpAddr>, identifiant: &str, user_id: Option<i64>, until: i64) {
    tracing::warn!(
        target: TARGET,
        evenement = "compte_bloque",
        identifiant = %mask(identifiant),
        compte = user_id.unwrap_or(0),
        jusqu_a = until,
        adresse = %address(ip),
        "compte bloqué après trop d'échecs"
    );
}

pub fn address_blocked(ip: Option<IpAddr>, until: i64) {
    tracing::warn!(
        target: TARGET,
        evenement = "adresse_bloquee",
        jusqu_a = until,
        adresse = %address(ip),
        "adresse bloquée après trop d'échecs"
    );
}

/// `motif`: `role` (the page or action is for another kind of account), `propriete` (what
/// was asked is not the user's, or does not exist: the user is told the same), `session`.
pub fn access_denied(
    user_id: Option<i64>,
    role: Option<Role>,
    methode: &str,
    chemin: &str,
    statut: u16,
    motif: &'static str,
    ip: Option<IpAddr>,
) {
    tracing::warn!(
        target: TARGET,
        evenement = "acces_refuse",
        compte = user_id.unwrap_or(0),
        role = role_name(role),
        methode,
        chemin,
        statut,
        motif,
        adresse = %address(ip),
        "accès refusé"
    );
}

pub fn logout(ip: Option<IpAddr>, user_id: Option<i64>) {
    tracing::info!(
        target: TARGET,
        evenement = "deconnexion",
        compte = user_id.unwrap_or(0),
        adresse = %address(ip),
        "déconnexion"
    );
}

/// A request for a reset link (`envoye`: whether the account and the secret answer matched).
pub fn reset_requested(ip: Option<IpAddr>, identifiant: &str, envoye: bool) {
    tracing::info!(
        target: TARGET,
        evenement = "reinitialisation_demandee",
        identifiant = %mask(identifiant),
        envoye,
        adresse = %address(ip),
        "lien de réinitialisation demandé"
    );
}

pub fn identifiant_requested(ip: Option<IpAddr>, email: &str, envoye: bool) {
    tracing::info!(
        target: TARGET,
        evenement = "identifiant_demande",
        courriel = %mask(email),
        envoye,
        adresse = %address(ip),
        "identifiant oublié demandé"
    );
}

/// A new password set through a reset link; `motif` when refused (`utilise`, `expire`…).
pub fn reset_attempt(ip: Option<IpAddr>, user_id: Option<i64>, motif: Option<&'static str>) {
    match motif {
        None => tracing::info!(
            target: TARGET,
            evenement = "reinitialisation_reussie",
            compte = user_id.unwrap_or(0),
            adresse = %address(ip),
            "mot de passe réinitialisé"
        ),
        Some(motif) => tracing::warn!(
            target: TARGET,
            evenement = "reinitialisation_refusee",
            motif,
            adresse = %address(ip),
            "lien de réinitialisation refusé"
        ),
    }
}

/// A logged-in user changed their password; `motif` when refused (`mot_de_passe_actuel`).
pub fn password_change(ip: Option<IpAddr>, user_id: i64, motif: Option<&'static str>) {
    match motif {
        None => tracing::info!(
            target: TARGET,
            evenement = "mot_de_passe_change",
            compte = user_id,
            adresse = %address(ip),
            "mot de passe changé"
        ),
        Some(motif) => tracing::warn!(
            target: TARGET,
            evenement = "changement_mot_de_passe_refuse",
            compte = user_id,
            motif,
            adresse = %address(ip),
            "changement de mot de passe refusé"
        ),
    }
}

/// An account activation through the emailed link; `motif` when refused.
pub fn activation_attempt(ip: Option<IpAddr>, user_id: Option<i64>, motif: Option<&'static str>) {
    match motif {
        None => tracing::info!(
            target: TARGET,
            evenement = "activation_reussie",
            compte = user_id.unwrap_or(0),
            adresse = %address(ip),
            "compte activé"
        ),
        Some(motif) => tracing::warn!(
            target: TARGET,
            evenement = "activation_refusee",
            motif,
            adresse = %address(ip),
            "lien d'activation refusé"
        ),
    }
}

/// A FranceConnect login refused (no session opened): `motif` says why (a replayed `state`,
/// a bad signature, a missing claim, an identity linked to no account…).
pub fn franceconnect_refused(ip: Option<IpAddr>, motif: &str) {
    tracing::warn!(
        target: TARGET,
        evenement = "franceconnect_refusee",
        motif,
        adresse = %address(ip),
        "connexion FranceConnect refusée"
    );
}

/// A candidate account linked to a FranceConnect identity (from Mon espace or the activation).
pub fn franceconnect_linked(ip: Option<IpAddr>, user_id: i64) {
    tracing::info!(
        target: TARGET,
        evenement = "franceconnect_relie",
        compte = user_id,
        adresse = %address(ip),
        "FranceConnect relié au compte"
    );
}

/// A candidate account unlinked from its FranceConnect identity (from Mon espace).
pub fn franceconnect_unlinked(ip: Option<IpAddr>, user_id: i64) {
    tracing::info!(
        target: TARGET,
        evenement = "franceconnect_delie",
        compte = user_id,
        adresse = %address(ip),
        "FranceConnect délié du compte"
    );
}

/// A photo booth API call with an unknown key.
pub fn ephoto_key_refused(ip: Option<IpAddr>) {
    tracing::warn!(
        target: TARGET,
        evenement = "cle_ephoto_refusee",
        adresse = %address(ip),
        "clé d'accès e-photo inconnue"
    );
}

/// What an administrator did (`par`: 0 for the command line), to what.
pub fn admin_action(ip: Option<IpAddr>, par: i64, action: &'static str, cible: &str) {
    tracing::info!(
        target: TARGET,
        evenement = "action_admin",
        par,
        action,
        cible,
        adresse = %address(ip),
        "action d'administration"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_identifiant_keeps_nothing_readable_but_groups_attempts() {
        let m = mask("ecole.gare");
        assert!(m.starts_with("e…(10) #"), "{m}");
        assert!(!m.contains("gare"));
        assert_eq!(m, mask(" Ecole.Gare "));
        assert_ne!(m, mask("ecole.gara"));
    }
}
