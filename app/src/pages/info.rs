//! The pages every French public service publishes, linked from the footer: accessibility
//! statement, legal notice, personal data, cookies, site map, help and contact. One lazily
//! loaded chunk for them all, the page chosen by its address.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::demande::CENTRE_ADRESSE;
use crate::routes::Page;

/// The page `page` (read from the address when the route was matched: see `app::entered_page`).
#[component]
pub fn InfoPage(page: Option<Page>) -> impl IntoView {
    match page {
        Some(Page::MentionsLegales) => view! { <MentionsLegales /> }.into_any(),
        Some(Page::DonneesPersonnelles) => view! { <DonneesPersonnelles /> }.into_any(),
        Some(Page::GestionCookies) => view! { <GestionCookies /> }.into_any(),
        Some(Page::PlanDuSite) => view! { <PlanDuSite /> }.into_any(),
        Some(Page::Aide) => view! { <Aide /> }.into_any(),
        _ => view! { <Accessibilite /> }.into_any(),
    }
}

/// The centre's postal address, line by line.
fn centre() -> impl IntoView {
    view! {
        <address class="fr-mb-3w">
            {CENTRE_ADRESSE.iter().map(|l| view! { {*l} <br /> }).collect_view()}
        </address>
    }
}

/// RGAA statement: with no audit made, the rules call the service « non conforme ».
#[component]
fn Accessibilite() -> impl IntoView {
    view! {
        <Title text="Déclaration d'accessibilité" />
        <div class="fr-container fr-my-6w">
            <h1>"Déclaration d'accessibilité"</h1>
            <p>"Établie le 28 novembre 2026."</p>
            <p>
                "L'administration qui exploite ce service s'engage à rendre ses services numériques accessibles, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration d'accessibilité s'applique au service en ligne de demande de permis de conduire."
            </p>
            <h2>"État de conformité"</h2>
            <p>
                <strong>"Ce service est non conforme"</strong>
                " avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1 : aucun audit de conformité n'a encore été réalisé. En attendant cet audit, chaque page est vérifiée automatiquement (axe-core) à chaque modification du service."
            </p>
            <h2>"Contenus non accessibles"</h2>
            <p>"Non-conformités connues, en cours de correction :"</p>
            <ul>
                <li>"les documents PDF produits (justificatif de dépôt, formulaire photo-signature) ne sont pas balisés : leur structure n'est pas restituée par les lecteurs d'écran ;"</li>
                <li>"les tableaux de l'espace professionnel et de la liste des demandes de l'école ne se réorganisent pas sur un écran étroit : ils défilent horizontalement dans leur cadre (la page elle-même ne défile pas) ;"</li>
                <li>"aucune vérification avec un lecteur d'écran ni par une personne en situation de handicap n'a encore été menée."</li>
            </ul>
            <h2>"Établissement de cette déclaration"</h2>
            <p>"Technologies utilisées : HTML, CSS (Système de design de l'État), WebAssembly."</p>
            <p>
                "Environnement de test : navigateur Chromium (Debian 12) piloté par Playwright, en 1280 × 900, 375 × 740 et 320 × 740 pixels, avec l'outil de vérification automatique axe-core 4.11. Aucune vérification avec un lecteur d'écran n'a encore été menée."
            </p>
            <h2>"Retour d'information et contact"</h2>
            <p>
                "Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez votre école de conduite ou écrivez au centre d'instruction pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme :"
            </p>
            {centre()}
            <h2>"Voies de recours"</h2>
            <p>
                "Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou à une fonctionnalité du service, que vous nous l'avez signalé et que vous n'avez pas obtenu de réponse satisfaisante, vous êtes en droit de saisir le Défenseur des droits :"
            </p>
            <ul>
                <li>
                    <a href="https://formulaire.defenseurdesdroits.fr/" rel="noopener" target="_blank" title="Écrire un message au Défenseur des droits — nouvelle fenêtre">
                        "écrire un message au Défenseur des droits"
                    </a>
                    " ;"
                </li>
                <li>
                    <a href="https://www.defenseurdesdroits.fr/saisir/delegues" rel="noopener" target="_blank" title="Contacter le délégué du Défenseur des droits dans votre région — nouvelle fenêtre">
                        "contacter le délégué du Défenseur des droits dans votre région"
                    </a>
                    " ;"
                </li>
                <li>
                    "envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07."
                </li>
            </ul>
        </div>
    }
}

#[component]
fn MentionsLegales() -> impl IntoView {
    view! {
        <Title text="Mentions légales" />
        <div class="fr-container fr-my-6w">
            <h1>"Mentions légales"</h1>
            <h2>"Éditeur"</h2>
            <p>
                "Ce service est édité par l'administration chargée de l'instruction des demandes de permis de conduire, représentée par son centre d'expertise et de ressources titres (CERT) :"
            </p>
            {centre()}
            <h2>"Directeur de la publication"</h2>
            <p>"Le chef du centre d'expertise et de ressources titres permis de conduire."</p>
            <h2>"Hébergement"</h2>
            <p>"Le service et ses données sont hébergés en France, sur les serveurs de l'administration qui l'exploite."</p>
            <h2>"Objet du service"</h2>
            <p>
                "Une école de conduite y saisit la demande de permis de conduire d'un candidat ; le candidat la vérifie, puis la valide ou la refuse depuis son espace. La demande validée est transmise au centre d'instruction."
            </p>
            <h2>"Réutilisation des contenus"</h2>
            <p>
                "Sauf mention contraire, les contenus de ce site sont proposés sous licence ouverte Etalab 2.0. Le Système de design de l'État, la Marianne et le bloc-marque ne peuvent pas être réutilisés hors des sites de l'État."
            </p>
            <h2>"Données personnelles et cookies"</h2>
            <p>
                "Voir les pages "
                <a href=Page::DonneesPersonnelles.href()>"Données personnelles"</a>
                " et "
                <a href=Page::GestionCookies.href()>"Gestion des cookies"</a>
                "."
            </p>
        </div>
    }
}

#[component]
fn DonneesPersonnelles() -> impl IntoView {
    view! {
        <Title text="Données personnelles" />
        <div class="fr-container fr-my-6w">
            <h1>"Données personnelles"</h1>
            <h2>"Responsable du traitement"</h2>
            <p>"L'administration chargée de l'instruction des demandes de permis de conduire, représentée par son centre d'instruction :"</p>
            {centre()}
            <h2>"Pourquoi ces données sont traitées"</h2>
            <ul>
                <li>"saisir, vérifier, valider et instruire les demandes de permis de conduire ;"</li>
                <li>"créer et gérer l'espace du candidat et les comptes des écoles de conduite et des agents ;"</li>
                <li>"informer le candidat et l'école de conduite de l'avancement de la demande (courriels et SMS) ;"</li>
                <li>"assurer la sécurité du service (connexions, limitation des tentatives)."</li>
            </ul>
            <h2>"Base légale"</h2>
            <p>
                "Le traitement est nécessaire à l'exécution d'une mission d'intérêt public dont est investie l'administration (article 6, paragraphe 1, point e, du règlement général sur la protection des données), la délivrance du permis de conduire prévue par le code de la route."
            </p>
            <h2>"Quelles données"</h2>
            <p>
                "État civil du candidat (et de son représentant légal s'il est mineur), adresse, adresse électronique et téléphone portable, catégories et formation demandées, pièces justificatives, photo et signature, école de conduite ; identifiant, mot de passe et réponse à la question secrète (enregistrés sous forme d'empreinte, jamais en clair) ; dates de connexion et adresse IP des tentatives de connexion échouées."
            </p>
            <h2>"Qui les reçoit"</h2>
            <p>
                "L'école de conduite qui a saisi la demande, le candidat, les agents du centre d'instruction. Aucune donnée n'est vendue ni transmise à des fins commerciales ; aucun outil de mesure d'audience ou de publicité n'est utilisé."
            </p>
            <h2>"Combien de temps"</h2>
            <ul>
                <li><strong>"Compte créé par une école et jamais activé, avec la demande et ses pièces"</strong>" : " "7 jours après l'envoi du dernier lien d'activation ; une trace sans donnée personnelle (numéro, dates, état) 1 an"</li>
                <li><strong>"Demande refusée par le candidat"</strong>" : " "30 jours après le refus ; puis une trace sans donnée personnelle 1 an"</li>
                <li><strong>"Demande transmise au centre d'instruction"</strong>" : " "le temps de l'instruction"</li>
                <li><strong>"Compte du candidat et ses messages"</strong>" : " "tant que le compte existe"</li>
                <li><strong>"Code e-photo non utilisé, avec la photo et la signature"</strong>" : " "6 mois (sa durée de validité)"</li>
                <li><strong>"Liens à usage unique utilisés ou expirés (empreintes)"</strong>" : " "30 jours"</li>
                <li><strong>"Messages envoyés aux écoles"</strong>" : " "1 an"</li>
                <li><strong>"Tentatives de connexion échouées"</strong>" : " "le temps du blocage (15 minutes à 1 heure)"</li>
            </ul>
            <h2>"Vos droits"</h2>
            <p>
                "Vous pouvez accéder à vos données (« Mes données personnelles » dans votre espace), en demander la rectification ou, lorsque la loi le permet, l'effacement ou la limitation. La demande saisie par l'école de conduite peut être refusée depuis votre espace si elle est inexacte. Pour exercer vos droits, écrivez au délégué à la protection des données du centre d'instruction, à l'adresse ci-dessus, en indiquant « Délégué à la protection des données »."
            </p>
            <p>
                "Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la "
                <a href="https://www.cnil.fr/fr/plaintes" rel="noopener" target="_blank" title="Commission nationale de l'informatique et des libertés — nouvelle fenêtre">"CNIL"</a>
                "."
            </p>
        </div>
    }
}

#[component]
fn GestionCookies() -> impl IntoView {
    view! {
        <Title text="Gestion des cookies" />
        <div class="fr-container fr-my-6w">
            <h1>"Gestion des cookies"</h1>
            <p>
                "Ce service ne dépose aucun cookie de mesure d'audience, de publicité ou de réseau social. Il n'utilise que les deux cookies strictement nécessaires à son fonctionnement, qui ne demandent pas votre consentement :"
            </p>
            <ul>
                <li>
                    <strong>"permis_session"</strong>
                    " (« __Host-permis_session » en https) : vous garder connecté — un numéro aléatoire, sans donnée personnelle, inaccessible aux scripts. Jusqu'à la déconnexion ; la session se ferme après 30 minutes sans activité et au plus tard 12 heures après la connexion."
                </li>
                <li>
                    <strong>"permis_flash"</strong>
                    " : quand un formulaire envoyé sans JavaScript est refusé, rapporter le message d'erreur et ce qui avait été saisi (jamais un mot de passe). 2 minutes, lu une seule fois."
                </li>
            </ul>
        </div>
    }
}

#[component]
fn PlanDuSite() -> impl IntoView {
    let link = |page: Page, label: &'static str| view! { <li><a href=page.href()>{label}</a></li> };
    view! {
        <Title text="Plan du site" />
        <div class="fr-container fr-my-6w">
            <h1>"Plan du site"</h1>
            <ul>
                {link(Page::Accueil, "Accueil")}
                <li>
                    "Candidats"
                    <ul>
                        {link(Page::Connexion, "Connexion à Mon espace")}
                        {link(Page::MonEspace, "Mon espace (mes démarches, documents, messages, données)")}
                        {link(Page::IdentifiantOublie, "Identifiant oublié")}
                        {link(Page::MotDePasseOublie, "Mot de passe oublié")}
                    </ul>
                </li>
                <li>
                    "Écoles de conduite et centre d'instruction"
                    <ul>
                        {link(Page::ConnexionPro, "Connexion à l'espace professionnel")}
                        {link(Page::EcoleDemandes, "Mes demandes (écoles de conduite)")}
                        {link(Page::Pro, "Espace du centre d'instruction")}
                    </ul>
                </li>
                {link(Page::Aide, "Aide et contact")}
                {link(Page::Accessibilite, "Accessibilité")}
                {link(Page::MentionsLegales, "Mentions légales")}
                {link(Page::DonneesPersonnelles, "Données personnelles")}
                {link(Page::GestionCookies, "Gestion des cookies")}
            </ul>
        </div>
    }
}

#[component]
fn Aide() -> impl IntoView {
    view! {
        <Title text="Aide et contact" />
        <div class="fr-container fr-my-6w">
            <h1>"Aide et contact"</h1>
            <h2>"Vous êtes candidat"</h2>
            <h3 class="fr-h6">"Je n'ai pas reçu le courriel d'activation, ou le lien a expiré"</h3>
            <p>
                "Regardez dans les courriers indésirables. Le lien est valable 7 jours : passé ce délai, ou si l'adresse était erronée, demandez à votre école de conduite de vous renvoyer le lien (elle peut le faire deux fois) ou de corriger votre adresse."
            </p>
            <h3 class="fr-h6">"J'ai oublié mon identifiant ou mon mot de passe"</h3>
            <p>
                "Utilisez « " <a href=Page::IdentifiantOublie.href()>"Identifiant oublié ?"</a> " » ou « "
                <a href=Page::MotDePasseOublie.href()>"Mot de passe oublié ?"</a>
                " » sur la page de connexion. Si vous ne vous souvenez plus de votre question secrète ou de sa réponse, écrivez au centre d'instruction (adresse ci-dessous) : votre identité sera vérifiée avant tout changement."
            </p>
            <h3 class="fr-h6">"Une information de ma demande est inexacte"</h3>
            <p>"Refusez la demande depuis votre espace en indiquant ce qui est inexact : votre école de conduite en saisira une nouvelle."</p>
            <h3 class="fr-h6">"Je dois envoyer le formulaire photo-signature"</h3>
            <p>
                "Imprimez-le depuis votre espace (« Mes documents »), complétez-le à l'encre noire, sans rature, collez-y une photo d'identité aux normes et envoyez-le dans les 15 jours suivant votre validation, seul dans l'enveloppe, à l'adresse ci-dessous."
            </p>
            <h2>"Vous êtes une école de conduite"</h2>
            <p>
                "Votre compte professionnel est créé par l'administration du service. Pour une question sur une demande, indiquez toujours son numéro (par exemple 75-261126-0042)."
            </p>
            <h2>"Contacter le centre d'instruction"</h2>
            <p>"Par courrier, en indiquant le numéro de votre demande :"</p>
            {centre()}
            <p>
                "Un problème d'accessibilité ? Voir la "
                <a href=Page::Accessibilite.href()>"déclaration d'accessibilité"</a>
                "."
            </p>
        </div>
    }
}
