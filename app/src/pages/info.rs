use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    view! {
        <Title text="Accessibilité" />
        <div class="fr-container fr-my-6w">
            <h1>"Déclaration d'accessibilité"</h1>
            <p>
                "Ce service s'engage à rendre ses pages accessibles conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005."
            </p>
            <h2>"État de conformité"</h2>
            <p>
                "Le service est partiellement conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA) version 4.1 : aucun audit complet n'a encore été mené. Chaque page est vérifiée automatiquement (axe-core) à chaque modification."
            </p>
            <h2>"Retour d'information et contact"</h2>
            <p>
                "Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez votre école de conduite ou le centre d'instruction pour être orienté vers une alternative accessible."
            </p>
            <h2>"Voies de recours"</h2>
            <p>
                "Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu du service et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez saisir le Défenseur des droits."
            </p>
        </div>
    }
}
