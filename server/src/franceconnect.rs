//! FranceConnect, the protocol's half (OpenID Connect, as FranceConnect v2 asks of a service
//! provider): discovery from the issuer, the authorization request (`state`, `nonce`,
//! `acr_values=eidas1`, the identité pivot scopes), the code exchange (`client_secret_post`),
//! the ID token checked against the provider's keys (ES256 or RS256) and the nonce, the
//! userinfo read as a signed JWT and checked, the logout URL (`end_session_endpoint`,
//! `id_token_hint`, `post_logout_redirect_uri`). The `openidconnect` crate does the protocol;
//! its HTTP calls go through `reqwest` (no redirect followed). What is kept of a login (state,
//! accounts) is in `app::server::franceconnect`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AccessToken, AsyncHttpClient, AuthType, AuthenticationContextClass, AuthorizationCode,
    ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse, IssuerUrl, LogoutRequest, Nonce,
    OAuth2TokenResponse, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    TokenResponse,
};
use serde::Deserialize;

use app::domain::identite::IdentitePivot;
use app::server::franceconnect::Certified;

/// The scopes FranceConnect v2 names after the claims they release.
pub const SCOPES: [&str; 8] = [
    "given_name",
    "family_name",
    "birthdate",
    "gender",
    "birthplace",
    "birthcountry",
    "email",
    "preferred_name",
];

/// The level of assurance asked (and checked in the ID token).
pub const ACR: &str = "eidas1";

/// How long the provider's configuration and keys are kept before being read again.
const METADATA_TTL: Duration = Duration::from_secs(600);
/// When the provider can't be read again, what was read last serves this long at most (its
/// keys still verify its tokens; a provider down for a moment must not stop every login),
/// asked again every minute meanwhile.
const METADATA_STALE_MAX: Duration = Duration::from_secs(24 * 3600);
const METADATA_RETRY: Duration = Duration::from_secs(60);
/// A whole answer (code exchange, keys, userinfo) within this, or « FranceConnect ne répond
/// pas »: the browser is waiting.
const FINISH_DEADLINE: Duration = Duration::from_secs(20);

/// What went wrong, with a code for the logs and what the person reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FcError {
    /// The provider could not be reached or answered something unreadable.
    Unreachable(String),
    /// The provider answered `error=…` (`access_denied`: the person went back).
    Provider { error: String, description: String },
    /// The answer did not pass the checks (signature, nonce, issuer, audience, acr, subject).
    Invalid(String),
}

impl FcError {
    pub fn log_reason(&self) -> String {
        match self {
            FcError::Unreachable(why) => format!("fournisseur_injoignable: {why}"),
            FcError::Provider { error, description } => {
                format!("erreur_fournisseur: {error} ({description})")
            }
            FcError::Invalid(why) => format!("reponse_invalide: {why}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// The HTTP client the protocol's calls go through: `reqwest`, no redirect followed, bounded
/// in time.
pub struct Http(reqwest::Client);

impl Http {
    fn new() -> Result<Http, String> {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map(Http)
            .map_err(|e| e.to_string())
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let (parts, body) = request.into_parts();
        let response = self
            .0
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(|e| HttpError(e.to_string()))?;
        let mut builder = http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| HttpError(e.to_string()))?;
        builder
            .body(body.to_vec())
            .map_err(|e| HttpError(e.to_string()))
    }
}

impl<'c> AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

/// The settings of FranceConnect (`PERMIS_FRANCECONNECT_*`).
#[derive(Clone, Debug)]
pub struct FcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// `<public url>/franceconnect/retour`
    pub redirect_uri: String,
    /// `<public url>/franceconnect/deconnexion/retour`
    pub post_logout_redirect_uri: String,
}

struct Provider {
    metadata: ProviderMetadataWithLogout,
    /// The same keys, for the userinfo JWT.
    keys: jsonwebtoken::jwk::JwkSet,
    read_at: Instant,
    /// When to read the provider again.
    next_read: Instant,
}

/// A FranceConnect service provider.
pub struct FranceConnect {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: ClientSecret,
    redirect: RedirectUrl,
    post_logout: PostLogoutRedirectUrl,
    http: Http,
    provider: tokio::sync::Mutex<Option<Arc<Provider>>>,
}

/// What a successful login brings back: the certified identity and the ID token (kept with
/// the session for the logout).
pub struct Login {
    pub who: Certified,
    pub id_token: String,
}

/// The claims of FranceConnect's userinfo JWT.
#[derive(Deserialize)]
struct UserInfo {
    sub: String,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    birthdate: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    birthplace: String,
    #[serde(default)]
    birthcountry: String,
    #[serde(default)]
    preferred_name: String,
    email: Option<String>,
}

impl FranceConnect {
    pub fn new(config: &FcConfig) -> Result<FranceConnect, String> {
        let bad = |what: &str, e: &dyn std::fmt::Display| format!("{what} invalide : {e}");
        Ok(FranceConnect {
            issuer: IssuerUrl::new(config.issuer.clone())
                .map_err(|e| bad("PERMIS_FRANCECONNECT_ISSUER", &e))?,
            client_id: ClientId::new(config.client_id.clone()),
            client_secret: ClientSecret::new(config.client_secret.clone()),
            redirect: RedirectUrl::new(config.redirect_uri.clone())
                .map_err(|e| bad("adresse de retour", &e))?,
            post_logout: PostLogoutRedirectUrl::new(config.post_logout_redirect_uri.clone())
                .map_err(|e| bad("adresse de retour après déconnexion", &e))?,
            http: Http::new()?,
            provider: tokio::sync::Mutex::new(None),
        })
    }

    /// `scheme://host[:port]` of the issuer (where the login and logout forms lead).
    pub fn origin(&self) -> String {
        self.issuer.url().origin().ascii_serialization()
    }

    /// The provider's configuration and keys, read at first use and again every ten minutes
    /// (keys rotate).
    async fn provider(&self) -> Result<Arc<Provider>, FcError> {
        let mut cached = self.provider.lock().await;
        if let Some(p) = cached.as_ref() {
            if Instant::now() < p.next_read {
                return Ok(p.clone());
            }
        }
        match self.discover().await {
            Ok(p) => {
                *cached = Some(p.clone());
                Ok(p)
            }
            Err(e) => match cached.as_ref() {
                Some(old) if old.read_at.elapsed() < METADATA_STALE_MAX => {
                    tracing::warn!(
                        motif = e.log_reason(),
                        "FranceConnect illisible : sa configuration lue auparavant sert encore"
                    );
                    let p = Arc::new(Provider {
                        metadata: old.metadata.clone(),
                        keys: old.keys.clone(),
                        read_at: old.read_at,
                        next_read: Instant::now() + METADATA_RETRY,
                    });
                    *cached = Some(p.clone());
                    Ok(p)
                }
                _ => Err(e),
            },
        }
    }

    async fn discover(&self) -> Result<Arc<Provider>, FcError> {
        let metadata = ProviderMetadataWithLogout::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| FcError::Unreachable(format!("découverte : {e}")))?;
        let keys = serde_json::to_value(metadata.jwks())
            .and_then(serde_json::from_value)
            .map_err(|e| FcError::Unreachable(format!("clés : {e}")))?;
        let now = Instant::now();
        Ok(Arc::new(Provider {
            metadata,
            keys,
            read_at: now,
            next_read: now + METADATA_TTL,
        }))
    }

    fn client(
        &self,
        p: &Provider,
    ) -> openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    > {
        CoreClient::from_provider_metadata(
            p.metadata.clone(),
            self.client_id.clone(),
            Some(self.client_secret.clone()),
        )
        .set_redirect_uri(self.redirect.clone())
        .set_auth_type(AuthType::RequestBody)
    }

    /// Where to send the browser: the provider's authorization endpoint with this login's
    /// `state` and `nonce`.
    pub async fn authorize_url(&self, state: &str, nonce: &str) -> Result<url::Url, FcError> {
        let p = self.provider().await?;
        let (state, nonce) = (state.to_string(), nonce.to_string());
        let (url, _, _) = self
            .client(&p)
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                move || Nonce::new(nonce),
            )
            .add_scopes(SCOPES.iter().map(|s| Scope::new(s.to_string())))
            .add_auth_context_value(AuthenticationContextClass::new(ACR.into()))
            .url();
        Ok(url)
    }

    /// The end of a login: the code exchanged, the ID token checked (signature, issuer,
    /// audience, expiry, `nonce`, `acr`), the userinfo JWT read and checked (signature,
    /// issuer, audience, same subject).
    pub async fn finish(&self, code: &str, nonce: &str) -> Result<Login, FcError> {
        tokio::time::timeout(FINISH_DEADLINE, self.finish_now(code, nonce))
            .await
            .unwrap_or_else(|_| Err(FcError::Unreachable("délai dépassé".into())))
    }

    async fn finish_now(&self, code: &str, nonce: &str) -> Result<Login, FcError> {
        let p = self.provider().await?;
        let client = self.client(&p);
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| FcError::Unreachable(format!("configuration : {e}")))?
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                openidconnect::RequestTokenError::ServerResponse(r) => FcError::Provider {
                    error: r.error().to_string(),
                    description: r.error_description().cloned().unwrap_or_default(),
                },
                openidconnect::RequestTokenError::Request(e) => {
                    FcError::Unreachable(format!("jeton : {e}"))
                }
                other => FcError::Invalid(format!("réponse du jeton : {other}")),
            })?;
        let id_token = token
            .id_token()
            .ok_or_else(|| FcError::Invalid("pas de jeton d'identité".into()))?;
        let verifier = client.id_token_verifier().set_allowed_algs([
            CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        ]);
        let claims = id_token
            .claims(&verifier, &Nonce::new(nonce.to_string()))
            .map_err(|e| FcError::Invalid(format!("jeton d'identité : {e}")))?;
        let acr = claims.auth_context_ref().map(|a| a.as_str().to_string());
        if acr.as_deref() != Some(ACR) {
            return Err(FcError::Invalid(format!(
                "niveau d'authentification {acr:?} au lieu de {ACR}"
            )));
        }
        let sub = claims.subject().as_str().to_string();
        let info = self.user_info(&p, token.access_token()).await?;
        if info.sub != sub {
            return Err(FcError::Invalid(
                "le sujet des informations d'identité n'est pas celui du jeton".into(),
            ));
        }
        Ok(Login {
            who: Certified {
                sub,
                pivot: IdentitePivot {
                    prenoms: info.given_name,
                    nom: info.family_name,
                    nom_usage: info.preferred_name,
                    date_naissance: info.birthdate,
                    sexe: info.gender,
                    lieu_naissance: info.birthplace,
                    pays_naissance: info.birthcountry,
                },
                email: info.email,
            },
            id_token: id_token.to_string(),
        })
    }

    /// The userinfo endpoint's answer, a JWT signed with one of the provider's keys (ES256 or
    /// RS256), for this client, from this issuer.
    async fn user_info(&self, p: &Provider, access: &AccessToken) -> Result<UserInfo, FcError> {
        let url = p
            .metadata
            .userinfo_endpoint()
            .ok_or_else(|| FcError::Unreachable("pas de userinfo_endpoint".into()))?;
        let request = http::Request::builder()
            .method(http::Method::GET)
            .uri(url.as_str())
            .header(http::header::ACCEPT, "application/jwt")
            .header(
                http::header::AUTHORIZATION,
                format!("Bearer {}", access.secret()),
            )
            .body(Vec::new())
            .map_err(|e| FcError::Unreachable(e.to_string()))?;
        let response = self
            .http
            .send(request)
            .await
            .map_err(|e| FcError::Unreachable(format!("userinfo : {e}")))?;
        if !response.status().is_success() {
            return Err(FcError::Unreachable(format!(
                "userinfo : statut {}",
                response.status()
            )));
        }
        let jwt = String::from_utf8(response.into_body())
            .map_err(|_| FcError::Invalid("userinfo illisible".into()))?;
        let header = jsonwebtoken::decode_header(jwt.trim())
            .map_err(|e| FcError::Invalid(format!("userinfo non signé : {e}")))?;
        let alg = header.alg;
        if !matches!(
            alg,
            jsonwebtoken::Algorithm::ES256 | jsonwebtoken::Algorithm::RS256
        ) {
            return Err(FcError::Invalid(format!(
                "userinfo signé en {alg:?} (ES256 ou RS256 attendu)"
            )));
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| p.keys.find(kid))
            .ok_or_else(|| FcError::Invalid("userinfo signé par une clé inconnue".into()))?;
        let key = jsonwebtoken::DecodingKey::from_jwk(key)
            .map_err(|e| FcError::Invalid(format!("clé du userinfo : {e}")))?;
        let mut validation = jsonwebtoken::Validation::new(alg);
        validation.set_issuer(&[self.issuer.as_str()]);
        validation.set_audience(&[self.client_id.as_str()]);
        validation.required_spec_claims = ["iss", "aud", "sub"]
            .into_iter()
            .map(String::from)
            .collect();
        jsonwebtoken::decode::<UserInfo>(jwt.trim(), &key, &validation)
            .map(|d| d.claims)
            .map_err(|e| FcError::Invalid(format!("userinfo : {e}")))
    }

    /// Where to send the browser to log out of FranceConnect (`state`: checked on the way
    /// back by nobody, FranceConnect asks for one).
    pub async fn logout_url(&self, id_token: &str, state: &str) -> Result<url::Url, FcError> {
        let p = self.provider().await?;
        let end = p
            .metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()
            .ok_or_else(|| FcError::Unreachable("pas de end_session_endpoint".into()))?;
        let token: CoreIdToken = id_token
            .parse()
            .map_err(|e| FcError::Invalid(format!("jeton gardé illisible : {e}")))?;
        Ok(LogoutRequest::from(end)
            .set_id_token_hint(&token)
            .set_post_logout_redirect_uri(self.post_logout.clone())
            .set_state(CsrfToken::new(state.to_string()))
            .http_get_url())
    }
}
