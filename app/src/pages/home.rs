use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let logged_out = move || query.read().get("deconnexion").is_some();
    view! {
        <Title text="" />
        <div class="fr-container fr-my-6w">
            {move || {
                logged_out()
                    .then(|| {
                        view! {
                            <div class="fr-alert fr-alert--success fr-alert--sm fr-mb-4w" role="status">
                                <p>"Vous êtes déconnecté. À bientôt !"</p>
                            </div>
                        }
                    })
            }}
            <h1>"Demande de permis de conduire en ligne"</h1>
            <p class="fr-text--lead">
                "Votre école de conduite saisit votre demande de permis de conduire. Vous la relisez, puis vous la validez ou la refusez depuis votre espace."
            </p>
            <div class="fr-grid-row fr-grid-row--gutters fr-mt-4w">
                <div class="fr-col-12 fr-col-md-6">
                    <div class="fr-card fr-enlarge-link">
                        <div class="fr-card__body">
                            <div class="fr-card__content">
                                <h2 class="fr-card__title">
                                    <a href="/connexion/pro">"Vous êtes une école de conduite"</a>
                                </h2>
                                <p class="fr-card__desc">
                                    "Connectez-vous à l'espace professionnel pour saisir les demandes de vos candidats et suivre leur avancement."
                                </p>
                                <p class="fr-card__detail fr-icon-briefcase-line">"Espace professionnel"</p>
                            </div>
                        </div>
                    </div>
                </div>
                <div class="fr-col-12 fr-col-md-6">
                    <div class="fr-card fr-enlarge-link">
                        <div class="fr-card__body">
                            <div class="fr-card__content">
                                <h2 class="fr-card__title">
                                    <a href="/connexion">"Vous êtes candidat au permis"</a>
                                </h2>
                                <p class="fr-card__desc">
                                    "Connectez-vous à Mon espace pour vérifier la demande saisie par votre école de conduite et la valider."
                                </p>
                                <p class="fr-card__detail fr-icon-account-circle-line">"Mon espace"</p>
                            </div>
                        </div>
                    </div>
                </div>
            </div>
            <h2 class="fr-mt-6w">"Comment ça se passe ?"</h2>
            <ol class="permis-steps">
                <li>"Votre école de conduite saisit la demande et les pièces justificatives, puis la valide."</li>
                <li>
                    "Vous recevez aussitôt un courriel et un SMS. Si vous n'avez pas encore de compte, activez-le dans les 7 jours grâce au lien reçu par courriel."
                </li>
                <li>"Dans « Mon espace », vous relisez la demande, puis vous la validez ou la refusez."</li>
                <li>
                    "Avec un code e-photo, la démarche est terminée et un justificatif de dépôt vous est proposé. Sinon, envoyez le formulaire photo-signature par courrier dans les 15 jours."
                </li>
            </ol>
        </div>
    }
}
