//! The FranceConnect button (DSFR `fr-connect`): a plain form, so that it works before the
//! WASM is loaded and without it; shown only when the server offers FranceConnect.

use leptos::prelude::*;

use crate::providers::services::use_services;

/// « S'identifier avec FranceConnect » posting to `action` (with `token` when given: the
/// activation link's), and « Qu'est-ce que FranceConnect ? ».
#[component]
pub fn FranceConnectButton(
    action: &'static str,
    #[prop(optional, into)] token: Option<String>,
) -> impl IntoView {
    use_services().franceconnect.then(|| {
        view! {
            <div class="fr-connect-group">
                <form method="post" action=action>
                    {token.map(|t| view! { <input type="hidden" name="token" value=t /> })}
                    <button class="fr-connect" type="submit">
                        <span class="fr-connect__login">"S’identifier avec"</span>
                        " "
                        <span class="fr-connect__brand">"FranceConnect"</span>
                    </button>
                </form>
                <p>
                    <a
                        href="https://franceconnect.gouv.fr/"
                        target="_blank"
                        rel="noopener"
                        title="Qu’est-ce que FranceConnect ? — nouvelle fenêtre"
                    >
                        "Qu’est-ce que FranceConnect ?"
                    </a>
                </p>
            </div>
        }
    })
}

/// Whether FranceConnect is offered (the pages word their text around it).
pub fn offered() -> bool {
    use_services().franceconnect
}
