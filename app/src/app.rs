//! The HTML document and the router. The patterns of `<Routes>` are those of
//! `routes::Page::PATTERNS` (a test of the server crate checks that they agree).

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{lazy_route, path, Lazy, LazyRoute};

use crate::components::layout::{Footer, Header, SkipLinks};
use crate::pages;
use crate::providers::user::provide_user;
use crate::routes::Page;

/// The whole document, rendered on the server. The style files' addresses carry their version
/// (`server::assets`): browsers keep them a year.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let styles = crate::server::assets::get();
    // What the server offers, read by the browser from the page (`providers::services`).
    let franceconnect = crate::providers::services::use_services()
        .franceconnect
        .then_some("1");
    view! {
        <!DOCTYPE html>
        <html lang="fr" data-fr-scheme="light" data-franceconnect=franceconnect>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="format-detection" content="telephone=no" />
                <meta
                    name="description"
                    content="Demande de permis de conduire en ligne : l'école de conduite saisit la demande, le candidat la vérifie et la valide depuis son espace."
                />
                <link rel="stylesheet" href=styles.dsfr.clone() />
                <link rel="stylesheet" href=styles.icons.clone() />
                <link rel="stylesheet" id="leptos" href=styles.app.clone() />
                <link rel="icon" href="/dsfr/favicon/favicon.svg" type="image/svg+xml" />
                <link rel="shortcut icon" href="/dsfr/favicon/favicon.ico" type="image/x-icon" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_user();

    view! {
        <Title formatter=|title: String| {
            if title.is_empty() {
                "Permis de conduire — demande en ligne".to_string()
            } else {
                format!("{title} — Permis de conduire")
            }
        } />
        <Router>
            <SkipLinks />
            <FocusOnNavigate />
            <Header />
            <main id="contenu" tabindex="-1" class="permis-main">
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("") view=pages::home::HomePage />
                    <Route path=path!("connexion") view=pages::connexion::login::UsagerLoginPage />
                    <Route path=path!("connexion/pro") view=pages::connexion::login::ProLoginPage />
                    <Route path=path!("accessibilite") view={Lazy::<InfoRoute>::new()} />
                    <Route path=path!("mentions-legales") view={Lazy::<InfoRoute>::new()} />
                    <Route path=path!("donnees-personnelles") view={Lazy::<InfoRoute>::new()} />
                    <Route path=path!("gestion-des-cookies") view={Lazy::<InfoRoute>::new()} />
                    <Route path=path!("plan-du-site") view={Lazy::<InfoRoute>::new()} />
                    <Route path=path!("aide") view={Lazy::<InfoRoute>::new()} />
                    <Route path=path!("ecole/demandes") view={Lazy::<EcoleRoute>::new()} />
                    <Route path=path!("ecole/demandes/:id/etape/:n") view={Lazy::<StepperRoute>::new()} />
                    <Route path=path!("ecole/demandes/:id/complement") view={Lazy::<EcoleRoute>::new()} />
                    <Route path=path!("monespace") view={Lazy::<MonEspaceRoute>::new()} />
                    <Route path=path!("monespace/activer/:token") view={Lazy::<CompteRoute>::new()} />
                    <Route path=path!("monespace/a-valider") view={Lazy::<UsagerRoute>::new()} />
                    <Route path=path!("monespace/demandes/:id") view={Lazy::<UsagerRoute>::new()} />
                    <Route path=path!("monespace/demandes/:id/refuser") view={Lazy::<UsagerRoute>::new()} />
                    <Route path=path!("connexion/identifiant-oublie") view={Lazy::<CompteRoute>::new()} />
                    <Route path=path!("connexion/mot-de-passe-oublie") view={Lazy::<CompteRoute>::new()} />
                    <Route path=path!("connexion/pro/mot-de-passe-oublie") view={Lazy::<CompteRoute>::new()} />
                    <Route path=path!("connexion/reinitialiser/:token") view={Lazy::<CompteRoute>::new()} />
                    <Route path=path!("connexion/mot-de-passe") view={Lazy::<CompteRoute>::new()} />
                    <Route path=path!("pro") view={Lazy::<ProRoute>::new()} />
                    <Route path=path!("pro/demandes/:id") view={Lazy::<ProRoute>::new()} />
                </Routes>
            </main>
            <Footer />
        </Router>
    }
}

/// After a navigation inside the app, the focus goes to the new page's title (a screen reader
/// announces where the user is; the keyboard starts from the content), as after a page load.
#[component]
fn FocusOnNavigate() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            #[cfg(feature = "hydrate")]
            focus::new_title();
        }
        path
    });
}

#[cfg(feature = "hydrate")]
mod focus {
    use leptos::prelude::request_animation_frame;
    use wasm_bindgen::JsCast;

    fn document() -> Option<web_sys::Document> {
        web_sys::window()?.document()
    }

    fn title() -> Option<web_sys::Element> {
        document()?.query_selector("main h1").ok().flatten()
    }

    fn focus(element: web_sys::Element) {
        let _ = element.set_attribute("tabindex", "-1");
        if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
            let _ = element.focus();
        }
    }

    /// Focuses the new page's `<h1>` once it has replaced the old one (a lazily loaded page
    /// takes a few frames; a page that keeps its title element, two), unless the user has put
    /// the focus somewhere else meanwhile.
    pub fn new_title() {
        let old = title();
        let at_start = document().and_then(|d| d.active_element());
        attempt(old, at_start, 0);
    }

    fn attempt(old: Option<web_sys::Element>, at_start: Option<web_sys::Element>, frame: u32) {
        let active = document().and_then(|d| d.active_element());
        let untouched = active.is_none()
            || active == at_start
            || active.as_ref().is_some_and(|a| a.tag_name() == "BODY");
        if !untouched {
            return;
        }
        let next = |old, at_start| {
            if frame < 120 {
                request_animation_frame(move || attempt(old, at_start, frame + 1));
            }
        };
        match title() {
            // The new page's title: done.
            Some(h1) if old.as_ref() != Some(&h1) => focus(h1),
            // The same title element two frames on: the page kept it (or is still loading);
            // focused now, and replaced by the new one if that comes.
            Some(h1) if frame == 2 => {
                focus(h1.clone());
                next(old, Some(h1));
            }
            _ => next(old, at_start),
        }
    }
}

/// The lazily loaded pages, in seven chunks (`cargo leptos build --split`), by kind of
/// visitor and page: `wasm-split` makes one more small file for each combination of chunks
/// that share code, so that a dozen chunks had a candidate's « Mon espace » fetch 105 files
/// (41 KB of response headers alone). The routes of a group always show the same page, read
/// from the address in `data()`, when the route is matched: `view()` runs only once the chunk
/// has arrived, and a link followed meanwhile (a quick click while the page hydrates) must not
/// change the page being hydrated (tachys panics on HTML it did not write); a reactive choice
/// would run again on the way out, with the page disposed.
fn entered_page() -> Option<Page> {
    Page::parse(
        &leptos_router::hooks::use_location()
            .pathname
            .get_untracked(),
    )
}

/// « Mon espace », the candidate's home: its own chunk (a candidate's first page after logging
/// in: it should not bring the review's code, shared with the school's and the centre's pages).
struct MonEspaceRoute;

#[lazy_route]
impl LazyRoute for MonEspaceRoute {
    fn data() -> Self {
        MonEspaceRoute
    }

    fn view(this: Self) -> AnyView {
        let MonEspaceRoute = this;
        view! { <pages::usager::monespace::MonEspacePage /> }.into_any()
    }
}

/// The candidate's demande (« à valider », its review, its refusal): the candidate goes from
/// one to the next, in one chunk.
struct UsagerRoute(Option<Page>);

#[lazy_route]
impl LazyRoute for UsagerRoute {
    fn data() -> Self {
        UsagerRoute(entered_page())
    }

    fn view(this: Self) -> AnyView {
        match this.0 {
            Some(Page::DemandeUsager { .. }) => {
                view! { <pages::usager::demande::DemandeUsagerPage /> }.into_any()
            }
            Some(Page::Refus { .. }) => view! { <pages::usager::demande::RefusPage /> }.into_any(),
            _ => view! { <pages::usager::a_valider::AValiderPage /> }.into_any(),
        }
    }
}

/// The school's stepper, the biggest page (its chunk alone is near the 300 KB gzip budget of a
/// chunk): candidates on a phone never download it.
struct StepperRoute;

#[lazy_route]
impl LazyRoute for StepperRoute {
    fn data() -> Self {
        StepperRoute
    }

    fn view(this: Self) -> AnyView {
        let StepperRoute = this;
        view! { <pages::ecole::etape::DemandeStepPage /> }.into_any()
    }
}

/// The school's other pages (its list, the answer to a request for a complement).
struct EcoleRoute(Option<Page>);

#[lazy_route]
impl LazyRoute for EcoleRoute {
    fn data() -> Self {
        EcoleRoute(entered_page())
    }

    fn view(this: Self) -> AnyView {
        match this.0 {
            Some(Page::Complement { .. }) => {
                view! { <pages::ecole::complement::ComplementEcolePage /> }.into_any()
            }
            _ => view! { <pages::ecole::demandes::MesDemandesPage /> }.into_any(),
        }
    }
}

/// The professional space (agents, administrators: the queue and the instruction of a
/// demande).
struct ProRoute(Option<Page>);

#[lazy_route]
impl LazyRoute for ProRoute {
    fn data() -> Self {
        ProRoute(entered_page())
    }

    fn view(this: Self) -> AnyView {
        match this.0 {
            Some(Page::Instruction { .. }) => {
                view! { <pages::pro::instruction::InstructionPage /> }.into_any()
            }
            _ => view! { <pages::pro::accueil::ProHomePage /> }.into_any(),
        }
    }
}

/// The pages every public service publishes (legal notice, personal data, cookies, site map,
/// help, accessibility): one chunk for them all, the page chosen by its address.
struct InfoRoute(Option<Page>);

#[lazy_route]
impl LazyRoute for InfoRoute {
    fn data() -> Self {
        InfoRoute(entered_page())
    }

    fn view(this: Self) -> AnyView {
        view! { <pages::info::InfoPage page=this.0 /> }.into_any()
    }
}

/// The pages around a password, visited once in a while (activation, forgotten identifiant or
/// password, new password, change of password): one chunk for them all, with the password
/// rules and their lists of leaked passwords, the page chosen by its address.
struct CompteRoute(Option<Page>);

#[lazy_route]
impl LazyRoute for CompteRoute {
    fn data() -> Self {
        CompteRoute(entered_page())
    }

    fn view(this: Self) -> AnyView {
        match this.0 {
            Some(Page::Activer { .. }) => {
                view! { <pages::usager::activer::ActivationPage /> }.into_any()
            }
            Some(Page::IdentifiantOublie) => {
                view! { <pages::connexion::oubli::IdentifiantOubliePage /> }.into_any()
            }
            Some(Page::MotDePasseOublie) => {
                view! { <pages::connexion::oubli::MotDePasseOubliePage /> }.into_any()
            }
            Some(Page::MotDePasseOubliePro) => {
                view! { <pages::connexion::oubli::MotDePasseOublieProPage /> }.into_any()
            }
            Some(Page::Reinitialiser { .. }) => {
                view! { <pages::connexion::reinitialiser::ReinitialiserPage /> }.into_any()
            }
            _ => view! { <pages::connexion::changer::ChangerMotDePassePage /> }.into_any(),
        }
    }
}
