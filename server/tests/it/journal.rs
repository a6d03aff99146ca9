//! Security events are logged as JSON lines, each with the id of the request that caused it,
//! and never with a password, a token or what was typed as an identifiant.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use serde_json::Value;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

use crate::common::filing::{
    activate, activation_link, file_and_validate, school, token_of, Person, GOOD_ACTIVATION,
};
use crate::common::{form, TestApp, CANDIDATE_PASSWORD, SCHOOL_PASSWORD};

/// What the server writes, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'w> MakeWriter<'w> for Captured {
    type Writer = Captured;
    fn make_writer(&'w self) -> Captured {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// Every security event so far, each line parsed as JSON.
    fn events(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .filter(|v| v["target"] == "securite")
            .collect()
    }

    /// The last event named `name`, which must carry the id of a request.
    fn last(&self, name: &str) -> Value {
        let event = self
            .events()
            .into_iter()
            .rev()
            .find(|e| e["evenement"] == name)
            .unwrap_or_else(|| panic!("pas d'événement {name} dans :\n{}", self.text()));
        let id = event["span"]["id"].as_str().unwrap_or("");
        assert_eq!(id.len(), 36, "{name} sans identifiant de requête : {event}");
        event
    }
}

#[tokio::test]
async fn security_events_are_logged_as_json_with_the_request_id_and_no_secret() {
    let captured = Captured::default();
    let _log = tracing::subscriber::set_default(server::logging::json_subscriber(
        captured.clone(),
        EnvFilter::new("securite=info,requete=info"),
    ));
    let app = TestApp::with_accounts().await;

    // Login failure, then success: the identifiant masked, the response's request id logged.
    let res = app
        .login("pro", "ecole.gare", "pas le bon mot de passe", None)
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let failed = captured.last("connexion_refusee");
    assert_eq!(failed["motif"], "mot_de_passe");
    assert!(failed["identifiant"]
        .as_str()
        .unwrap()
        .starts_with("e…(10) #"));
    assert_eq!(failed["adresse"], "198.51.100.7", "the client's address");
    assert_eq!(
        Some(failed["span"]["id"].as_str().unwrap()),
        res.header("x-request-id"),
        "the id in the log is the one the user can read out"
    );
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let ok = captured.last("connexion_reussie");
    assert_eq!(ok["role"], "ecole");
    assert!(ok["compte"].as_i64().unwrap() > 0);

    // Access denied: a page of another kind of account, a document that is not the school's.
    let res = app.get("/monespace", Some(&token)).await;
    assert_eq!(res.status, StatusCode::FOUND);
    let denied = captured.last("acces_refuse");
    assert_eq!(
        (denied["motif"].as_str(), denied["chemin"].as_str()),
        (Some("role"), Some("/monespace"))
    );
    let res = app
        .get("/api/demandes/999999/documents/justificatif", Some(&token))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let denied = captured.last("acces_refuse");
    assert_eq!(denied["motif"], "propriete");
    assert_eq!(denied["statut"], 404);

    // Logout.
    app.post_form("/api/deconnexion", "", Some(&token)).await;
    assert_eq!(captured.last("deconnexion")["compte"], ok["compte"]);

    // Ten failures lock the account.
    for _ in 0..10 {
        app.login("usager", "pmartin", "toujours pas le bon", None)
            .await;
    }
    let locked = captured.last("compte_bloque");
    assert!(locked["jusqu_a"].as_i64().is_some());

    // Reset: the request, a refused link.
    app.post_form(
        "/api/compte/mot-de-passe-oublie",
        form(&[
            ("form[identifiant]", "pmartin"),
            ("form[question]", "animal"),
            ("form[reponse]", "Rex"),
        ]),
        None,
    )
    .await;
    assert_eq!(captured.last("reinitialisation_demandee")["envoye"], false);
    let forged = "Zx8k2Lq9Vb7Nc1Md4Pf6Rg3Th5Jk0Wq2Er4Ty6Ui8Op1";
    app.post_form(
        "/api/compte/reinitialiser",
        form(&[
            ("token", forged),
            ("form[password]", "un nouveau mot de passe"),
            ("form[confirmation]", "un nouveau mot de passe"),
        ]),
        None,
    )
    .await;
    assert_eq!(
        captured.last("reinitialisation_refusee")["motif"],
        "inconnu"
    );

    // Activation: refused with a wrong link, then done with the emailed one.
    activate(&app, forged, GOOD_ACTIVATION).await;
    assert_eq!(captured.last("activation_refusee")["motif"], "inconnu");
    let school_token = school(&app).await;
    file_and_validate(&app, &school_token, &Person::lea(), None).await;
    let link = token_of(&activation_link(&app, Person::lea().email).await);
    let res = activate(&app, &link, GOOD_ACTIVATION).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        captured.last("activation_reussie")["compte"]
            .as_i64()
            .unwrap()
            > 0
    );

    // Nothing secret was written: passwords, the session and link tokens, identifiants typed.
    let log = captured.text();
    for secret in [
        SCHOOL_PASSWORD,
        CANDIDATE_PASSWORD,
        "pas le bon mot de passe",
        "un nouveau mot de passe",
        token.as_str(),
        link.as_str(),
        forged,
        "ecole.gare",
        "pmartin",
        "Rex",
    ] {
        assert!(
            !log.contains(secret),
            "« {secret} » est dans le journal :\n{log}"
        );
    }
}
