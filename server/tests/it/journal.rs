//! Security events are logged as JSON lines, each with the id of the request that caused it,
//! and never with a password, a token or what was typed as an identifiant.

use std::sync::{Arc, Mutex, OnceLock};

use axum::http::StatusCode;
use serde_json::Value;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

use crate::common::filing::{
    activate, activation_link, file_and_validate, school, token_of, Person, GOOD_ACTIVATION,
};
use crate::common::{form, TestApp, TestResponse, CANDIDATE_PASSWORD, SCHOOL_PASSWORD};

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
    /// The log of this test binary: a global subscriber (a scoped one would miss the spans
    /// whose interest other tests' threads cached first), written as the server writes it.
    fn global() -> &'static Captured {
        static CAPTURED: OnceLock<Captured> = OnceLock::new();
        CAPTURED.get_or_init(|| {
            let captured = Captured::default();
            tracing::subscriber::set_global_default(server::logging::json_subscriber(
                captured.clone(),
                EnvFilter::new("securite=info,requete=info"),
            ))
            .expect("no other global subscriber in the tests");
            captured
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// The event `name` of the request that got `response` (other tests log meanwhile): the
    /// id in the log is the one the user can read out.
    fn of(&self, response: &TestResponse, name: &str) -> Value {
        let id = response.header("x-request-id").expect("x-request-id");
        assert_eq!(id.len(), 36, "{id}");
        self.text()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|e| e["target"] == "securite" && e["evenement"] == name && e["span"]["id"] == id)
            .unwrap_or_else(|| panic!("pas d'événement {name} pour la requête {id}"))
    }
}

#[tokio::test]
async fn security_events_are_logged_as_json_with_the_request_id_and_no_secret() {
    let captured = Captured::global();
    let app = TestApp::with_accounts().await;

    // Login failure, then success: the identifiant masked, the client's address.
    let res = app
        .login("pro", "ecole.gare", "pas le bon mot de passe", None)
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let failed = captured.of(&res, "connexion_refusee");
    assert_eq!(failed["motif"], "mot_de_passe");
    assert!(failed["identifiant"]
        .as_str()
        .unwrap()
        .starts_with("e…(10) #"));
    assert_eq!(failed["adresse"], "198.51.100.7", "the client's address");
    let res = app.login("pro", "ecole.gare", SCHOOL_PASSWORD, None).await;
    let token = res.session_cookie().unwrap();
    let ok = captured.of(&res, "connexion_reussie");
    assert_eq!(ok["role"], "ecole");
    assert!(ok["compte"].as_i64().unwrap() > 0);

    // Access denied: a page of another kind of account, a document that is not the school's.
    let res = app.get("/monespace", Some(&token)).await;
    assert_eq!(res.status, StatusCode::FOUND);
    let denied = captured.of(&res, "acces_refuse");
    assert_eq!(
        (denied["motif"].as_str(), denied["chemin"].as_str()),
        (Some("role"), Some("/monespace"))
    );
    let res = app
        .get("/api/demandes/999999/documents/justificatif", Some(&token))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let denied = captured.of(&res, "acces_refuse");
    assert_eq!(denied["motif"], "propriete");
    assert_eq!(denied["statut"], 404);

    // Logout.
    let res = app.post_form("/api/deconnexion", "", Some(&token)).await;
    assert_eq!(captured.of(&res, "deconnexion")["compte"], ok["compte"]);

    // Ten failures lock the account.
    let mut res = None;
    for _ in 0..11 {
        res = Some(
            app.login("usager", "pmartin", "toujours pas le bon", None)
                .await,
        );
    }
    let locked = captured.of(&res.unwrap(), "compte_bloque");
    assert!(locked["jusqu_a"].as_i64().is_some());

    // Reset: the request, a refused link.
    let res = app
        .post_form(
            "/api/compte/mot-de-passe-oublie",
            form(&[
                ("form[identifiant]", "pmartin"),
                ("form[question]", "animal"),
                ("form[reponse]", "Rex"),
            ]),
            None,
        )
        .await;
    assert_eq!(
        captured.of(&res, "reinitialisation_demandee")["envoye"],
        false
    );
    let forged = "Zx8k2Lq9Vb7Nc1Md4Pf6Rg3Th5Jk0Wq2Er4Ty6Ui8Op1";
    let res = app
        .post_form(
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
        captured.of(&res, "reinitialisation_refusee")["motif"],
        "inconnu"
    );

    // Activation: refused with a wrong link, then done with the emailed one.
    let res = activate(&app, forged, GOOD_ACTIVATION).await;
    assert_eq!(captured.of(&res, "activation_refusee")["motif"], "inconnu");
    let school_token = school(&app).await;
    file_and_validate(&app, &school_token, &Person::lea(), None).await;
    let link = token_of(&activation_link(&app, Person::lea().email).await);
    let res = activate(&app, &link, GOOD_ACTIVATION).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        captured.of(&res, "activation_reussie")["compte"]
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
