//! Activation (« Vous y êtes presque ! »): the emailed link, opened before the candidate has a
//! password.

use leptos::prelude::*;
use leptos_meta::Title;
use server_fn::ServerFn;

use crate::api::usager::{lire_activation, ActivationInfo, ActiverCompte};
use crate::components::fields::{ErrorSummary, Radios};
use crate::components::forms::{
    flash_error, shown_error, token_param, FormValues, NewPasswordAndQuestion, Notice, PostForm,
};
use crate::components::franceconnect::FranceConnectButton;
use crate::components::loader::{respond_with, use_page_data};
use crate::domain::activation::{check_activation, LinkState, DELETED_ACCOUNT};
use crate::domain::demande::Sexe;
use crate::error::AppError;
use crate::flash::use_flash;
use crate::routes::Page;

#[component]
pub fn ActivationPage() -> impl IntoView {
    crate::components::forms::load_leaked_password_lists();
    let token = token_param();
    let info = use_page_data(token, lire_activation);
    view! {
        <Title text="Activation de votre compte" />
        <div class="fr-container fr-my-6w">
            <div class="fr-grid-row fr-grid-row--center">
                <div class="fr-col-12 fr-col-md-10 fr-col-lg-8">
                    {move || match info.get() {
                        None => view! { <p>"Chargement…"</p> }.into_any(),
                        Some(Err(e)) => {
                            respond_with(&e);
                            view! { <Notice title="Lien inutilisable" text=e.to_string()><span></span></Notice> }.into_any()
                        }
                        Some(Ok(i)) if i.state == LinkState::Valid => {
                            view! { <ActivationForm token=token() info=i /> }.into_any()
                        }
                        Some(Ok(i)) => view! { <LinkProblem state=i.state /> }.into_any(),
                    }}
                </div>
            </div>
        </div>
    }
}

#[component]
fn LinkProblem(state: LinkState) -> impl IntoView {
    let (title, text, login) = match state {
        LinkState::Used => (
            "Votre compte est déjà activé",
            "Ce lien a déjà servi. Connectez-vous avec l'identifiant reçu par courriel après l'activation, ou avec votre adresse électronique.",
            true,
        ),
        LinkState::Expired => (
            "Ce lien d'activation a expiré",
            "Un lien d'activation est valable 7 jours. Demandez à votre école de conduite de vous renvoyer le lien : vous recevrez un nouveau courriel.",
            false,
        ),
        LinkState::Revoked => (
            "Ce lien a été remplacé",
            "Un lien plus récent vous a été envoyé par courriel : utilisez le dernier reçu. Les liens précédents ne fonctionnent plus.",
            false,
        ),
        LinkState::Deleted => (
            "Ce compte a été supprimé",
            DELETED_ACCOUNT,
            false,
        ),
        LinkState::Unknown | LinkState::Valid => (
            "Ce lien d'activation n'est pas valable",
            "Vérifiez que l'adresse est complète, telle qu'elle figure dans le courriel (copiez-la entièrement si le lien est coupé). Si votre compte est déjà activé, connectez-vous.",
            true,
        ),
    };
    view! {
        <Notice title=title text=text kind=if login { "info" } else { "warning" }>
            {login
                .then(|| {
                    view! {
                        <ul class="fr-btns-group fr-btns-group--inline-md">
                            <li><a class="fr-btn" href=Page::Connexion.href()>"Me connecter"</a></li>
                            <li>
                                <a class="fr-btn fr-btn--secondary" href=Page::IdentifiantOublie.href()>
                                    "Identifiant oublié ?"
                                </a>
                            </li>
                        </ul>
                    }
                })}
        </Notice>
    }
}

#[component]
fn ActivationForm(token: String, info: ActivationInfo) -> impl IntoView {
    let flash = use_flash::<crate::domain::activation::ActivationForm>();
    let client_error = RwSignal::new(None);
    let error = shown_error(client_error, flash_error(&flash));
    let kept = flash.map(|f| f.form).unwrap_or_default();
    let nom = info.nom.clone();
    let check = Callback::new(move |v: FormValues| {
        let form = crate::domain::activation::ActivationForm {
            sexe: v.get("form[sexe]"),
            password: v.get("form[password]"),
            confirmation: v.get("form[confirmation]"),
            question: v.get("form[question]"),
            reponse: v.get("form[reponse]"),
        };
        AppError::check(check_activation(&form, &[&nom])).err()
    });
    let sexe = Some(kept.sexe.clone())
        .filter(|s| !s.is_empty())
        .or(info.sexe.clone());
    let question = Some(kept.question.clone()).filter(|s| !s.is_empty());
    let sexes = Sexe::ALL
        .iter()
        .map(|s| (s.code().to_string(), s.label().to_string()))
        .collect::<Vec<_>>();
    let name = format!("{} {}", info.prenom, info.nom);
    view! {
        <p class="fr-text--lead fr-mb-1w">{format!("Bienvenue, {}", name.trim())}</p>
        <h1 class="permis-shout">"Vous y êtes presque !"</h1>
        <p>
            "Votre école de conduite a créé votre compte en saisissant votre demande de permis de conduire. "
            "Choisissez votre mot de passe et une question secrète (elle vous servira si vous oubliez votre mot de passe), puis validez la demande à l'étape suivante."
        </p>
        {crate::components::franceconnect::offered()
            .then(|| {
                view! {
                    <h2 class="fr-h4">"Activer avec FranceConnect"</h2>
                    <p>
                        "Sans mot de passe ni question secrète : identifiez-vous avec un compte que vous avez déjà (impots.gouv.fr, ameli.fr, l’Identité Numérique La Poste…). Votre identité certifiée sera comparée à ce que votre école a saisi."
                    </p>
                    <FranceConnectButton action=crate::routes::FC_ACTIVATION token=token.clone() />
                    <p class="fr-hr-or">"ou"</p>
                    <h2 class="fr-h4">"Choisir un mot de passe"</h2>
                }
                .into_any()
            })}
        <p class="fr-text--sm">"Tous les champs sont obligatoires."</p>
        <ErrorSummary error />
        <PostForm action=ActiverCompte::PATH id="activation-form" button="Me connecter" check client_error>
            <input type="hidden" name="token" value=token />
            <Radios key="sexe" legend="Sexe" options=sexes selected=sexe inline=true error />
            <NewPasswordAndQuestion selected=question error />
        </PostForm>
    }
}
