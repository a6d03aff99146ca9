//! DSFR page frame: skip links, header with the « République Française » block, footer.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::A;
use server_fn::ServerFn;

use crate::api::connexion::CurrentUser;
use crate::domain::account::Role;
use crate::providers::user::use_user;
use crate::routes::{home_of, Page};

#[component]
pub fn SkipLinks() -> impl IntoView {
    view! {
        <div class="fr-skiplinks">
            <nav class="fr-container" aria-label="Accès rapide">
                <ul class="fr-skiplinks__list">
                    <li>
                        <a class="fr-link" href="#contenu">"Contenu"</a>
                    </li>
                    <li>
                        <a class="fr-link" href="#footer">"Pied de page"</a>
                    </li>
                </ul>
            </nav>
        </div>
    }
}

/// The links at the right of the header (and in the mobile menu).
#[component]
fn ToolLinks(user: Option<CurrentUser>) -> impl IntoView {
    let session = use_user();
    match user {
        Some(user) => {
            let home = home_of(user.role).href();
            let through_franceconnect = user.franceconnect;
            let label = match user.role {
                Role::Ecole => "Mes demandes",
                Role::Usager => "Mon espace",
                Role::Agent | Role::Admin => "Espace professionnel",
            };
            Either::Left(view! {
                <ul class="fr-btns-group">
                    <li>
                        <A href=home attr:class="fr-btn fr-icon-account-circle-line">
                            {label}
                            <span class="fr-sr-only">{format!(" — {}", user.display_name())}</span>
                        </A>
                    </li>
                    <li>
                        <A href=Page::ChangerMotDePasse.href() attr:class="fr-btn fr-icon-lock-line">
                            "Mot de passe"
                        </A>
                    </li>
                    <li>
                        {if through_franceconnect {
                            // Logged in through FranceConnect: the server ends the session,
                            // then sends the browser to FranceConnect's logout.
                            // (`Either`, not `.into_any()`: a type-erased view carries every
                            // rendering and hydration path of its type into the main WASM.)
                            Either::Left(view! {
                                <form method="post" action=crate::routes::FC_DECONNEXION class="permis-inline-form">
                                    <button type="submit" class="fr-btn fr-icon-logout-box-r-line">
                                        "Se déconnecter"
                                    </button>
                                </form>
                            })
                        } else {
                            Either::Right(view! {
                                // A plain form, sent through the logout action once hydrated
                                // (not `<ActionForm>`: see the login form).
                                <form
                                    method="post"
                                    action=crate::api::connexion::Logout::PATH
                                    class="permis-inline-form"
                                    on:submit=move |ev| {
                                        ev.prevent_default();
                                        session.logout.dispatch(crate::api::connexion::Logout {});
                                    }
                                >
                                    <button type="submit" class="fr-btn fr-icon-logout-box-r-line">
                                        "Se déconnecter"
                                    </button>
                                </form>
                            })
                        }}
                    </li>
                </ul>
            })
        }
        None => Either::Right(view! {
            <ul class="fr-btns-group">
                <li>
                    <A href=Page::ConnexionPro.href() attr:class="fr-btn fr-icon-briefcase-line">
                        "Espace professionnel"
                    </A>
                </li>
                <li>
                    <A href=Page::Connexion.href() attr:class="fr-btn fr-icon-account-circle-line">
                        "Mon espace"
                    </A>
                </li>
            </ul>
        }),
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let session = use_user();
    // The mobile menu is opened by Leptos, not by the DSFR script (see README: DSFR and hydration).
    let (menu_open, set_menu_open) = signal(false);
    let menu_button = NodeRef::<leptos::html::Button>::new();
    // Closing (button, link, Escape anywhere on the page) gives the focus back to « Menu ».
    let close_menu = move || {
        if menu_open.get_untracked() {
            set_menu_open.set(false);
            if let Some(b) = menu_button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    let menu = NodeRef::<leptos::html::Div>::new();
    let close_button = NodeRef::<leptos::html::Button>::new();
    // In the browser only (the server has no window).
    #[cfg(feature = "hydrate")]
    {
        // Escape closes the menu; while it is open, Tab and Shift+Tab stay inside it.
        let keys = window_event_listener(leptos::ev::keydown, move |ev| {
            if !menu_open.get_untracked() {
                return;
            }
            if ev.key() == "Escape" {
                close_menu();
            } else if ev.key() == "Tab" {
                if let Some(m) = menu.get_untracked() {
                    menu_focus::keep_inside(&m, &ev);
                }
            }
        });
        on_cleanup(move || keys.remove());
        // Opening moves the focus to « Fermer », once the menu is shown (the DSFR fades it in).
        Effect::new(move |_| {
            if menu_open.get() {
                if let Some(b) = close_button.get_untracked() {
                    menu_focus::focus_when_shown(b, 60);
                }
            }
        });
    }
    let tools = move || view! { <ToolLinks user=session.user.get() /> };
    view! {
        <header role="banner" class="fr-header">
            <div class="fr-header__body">
                <div class="fr-container">
                    <div class="fr-header__body-row">
                        <div class="fr-header__brand fr-enlarge-link">
                            <div class="fr-header__brand-top">
                                <div class="fr-header__logo">
                                    <p class="fr-logo">"République" <br /> "Française"</p>
                                </div>
                                <div class="fr-header__navbar">
                                    <button
                                        class="fr-btn--menu fr-btn"
                                        id="button-menu"
                                        aria-controls="modal-menu"
                                        aria-haspopup="dialog"
                                        aria-expanded=move || menu_open.get().to_string()
                                        title="Menu"
                                        node_ref=menu_button
                                        on:click=move |_| set_menu_open.set(true)
                                    >
                                        "Menu"
                                    </button>
                                </div>
                            </div>
                            <div class="fr-header__service">
                                <a href=Page::Accueil.href() title="Accueil — Permis de conduire">
                                    <p class="fr-header__service-title">"Permis de conduire"</p>
                                </a>
                                <p class="fr-header__service-tagline">
                                    "Demande en ligne par votre école de conduite"
                                </p>
                            </div>
                        </div>
                        <div class="fr-header__tools">
                            <div class="fr-header__tools-links">
                                {tools}
                            </div>
                        </div>
                    </div>
                </div>
            </div>
            <div
                class="fr-header__menu fr-modal"
                node_ref=menu
                class:fr-modal--opened=move || menu_open.get()
                id="modal-menu"
                role=move || menu_open.get().then_some("dialog")
                aria-modal=move || menu_open.get().then_some("true")
                aria-labelledby=move || menu_open.get().then_some("button-menu")
            >
                <div class="fr-container">
                    <button
                        class="fr-btn--close fr-btn"
                        aria-controls="modal-menu"
                        node_ref=close_button
                        title="Fermer"
                        on:click=move |_| close_menu()
                    >
                        "Fermer"
                    </button>
                    <div class="fr-header__menu-links" on:click=move |_| set_menu_open.set(false)>
                        {tools}
                    </div>
                </div>
            </div>
        </header>
    }
}

/// The mobile menu's focus handling, in the browser.
#[cfg(feature = "hydrate")]
mod menu_focus {
    use wasm_bindgen::JsCast;

    /// Focuses `button` as soon as the browser can (a hidden element cannot take the focus, and
    /// the menu becomes visible on the next frames); gives up after `frames` frames.
    pub fn focus_when_shown(button: web_sys::HtmlButtonElement, frames: u32) {
        let _ = button.focus();
        let focused = leptos::prelude::document()
            .active_element()
            .is_some_and(|a| a == *button.unchecked_ref::<web_sys::Element>());
        if !focused && frames > 0 {
            leptos::prelude::request_animation_frame(move || focus_when_shown(button, frames - 1));
        }
    }

    /// Tab on the menu's last control goes back to its first, Shift+Tab on the first to the last.
    pub fn keep_inside(menu: &web_sys::HtmlDivElement, ev: &web_sys::KeyboardEvent) {
        let Ok(list) = menu.query_selector_all(
            "a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex='-1'])",
        ) else {
            return;
        };
        let controls: Vec<web_sys::HtmlElement> = (0..list.length())
            .filter_map(|i| list.get(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            .filter(|e| e.offset_width() > 0 || e.offset_height() > 0)
            .collect();
        let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
            return;
        };
        let active = leptos::prelude::document().active_element();
        let is = |e: &web_sys::HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == e.unchecked_ref::<web_sys::Element>())
        };
        let inside = active.as_ref().is_some_and(|a| menu.contains(Some(a)));
        if ev.shift_key() && (is(first) || !inside) {
            ev.prevent_default();
            let _ = last.focus();
        } else if !ev.shift_key() && (is(last) || !inside) {
            ev.prevent_default();
            let _ = first.focus();
        }
    }
}

/// A demande that cannot be shown (not found, not this user's): the page's title and why. The
/// page's status follows the error (404, 403).
#[component]
pub fn DemandeIntrouvable(error: crate::error::AppError) -> impl IntoView {
    crate::components::loader::respond_with(&error);
    view! {
        <div class="fr-alert fr-alert--error" role="alert">
            <h1 class="fr-alert__title">"Demande introuvable"</h1>
            <p>{error.to_string()}</p>
        </div>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="fr-footer" role="contentinfo" id="footer">
            <div class="fr-container">
                <div class="fr-footer__body">
                    <div class="fr-footer__brand fr-enlarge-link">
                        <a href=Page::Accueil.href() title="Retour à l'accueil du site — Permis de conduire — République Française">
                            <p class="fr-logo">"République" <br /> "Française"</p>
                        </a>
                    </div>
                    <div class="fr-footer__content">
                        <p class="fr-footer__content-desc">
                            "Service de demande de permis de conduire en ligne : l'école de conduite saisit la demande, le candidat la vérifie et la valide depuis son espace."
                        </p>
                        <ul class="fr-footer__content-list">
                            <li class="fr-footer__content-item">
                                <a class="fr-footer__content-link" href="https://www.service-public.fr" rel="noopener" target="_blank" title="service-public.fr — nouvelle fenêtre">
                                    "service-public.fr"
                                </a>
                            </li>
                            <li class="fr-footer__content-item">
                                <a class="fr-footer__content-link" href="https://www.legifrance.gouv.fr" rel="noopener" target="_blank" title="legifrance.gouv.fr — nouvelle fenêtre">
                                    "legifrance.gouv.fr"
                                </a>
                            </li>
                            <li class="fr-footer__content-item">
                                <a class="fr-footer__content-link" href="https://www.gouvernement.fr" rel="noopener" target="_blank" title="gouvernement.fr — nouvelle fenêtre">
                                    "gouvernement.fr"
                                </a>
                            </li>
                        </ul>
                    </div>
                </div>
                <div class="fr-footer__bottom">
                    <ul class="fr-footer__bottom-list">
                        {[
                            (Page::PlanDuSite, "Plan du site"),
                            (Page::Accessibilite, "Accessibilité : non conforme"),
                            (Page::MentionsLegales, "Mentions légales"),
                            (Page::DonneesPersonnelles, "Données personnelles"),
                            (Page::GestionCookies, "Gestion des cookies"),
                            (Page::Aide, "Aide et contact"),
                        ]
                            .into_iter()
                            .map(|(page, label)| {
                                view! {
                                    <li class="fr-footer__bottom-item">
                                        <a class="fr-footer__bottom-link" href=page.href()>{label}</a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <div class="fr-footer__bottom-copy">
                        <p>
                            "Sauf mention explicite de propriété intellectuelle détenue par des tiers, les contenus de ce site sont proposés sous "
                            <a href="https://github.com/etalab/licence-ouverte/blob/master/LO.md" rel="noopener" target="_blank" title="licence etalab-2.0 — nouvelle fenêtre">
                                "licence etalab-2.0"
                            </a>
                        </p>
                    </div>
                </div>
            </div>
        </footer>
    }
}

/// « Dernière connexion : 26/11/2026 à 23:05 » — the login before this one.
#[component]
pub fn LastLogin(user: CurrentUser) -> impl IntoView {
    view! {
        <p class="fr-text--sm permis-last-login">
            {match user.derniere_connexion {
                Some(when) => format!("Dernière connexion : {when}"),
                None => "Première connexion : bienvenue !".to_string(),
            }}
        </p>
    }
}

/// The frame of the pages the server writes itself (the public verification of a justificatif,
/// the development mailbox): the same skip links, header (nobody logged in) and footer as every
/// page of the service, as HTML — a page that proves a document is genuine looks official.
#[cfg(feature = "ssr")]
pub fn static_frame() -> (String, String) {
    use crate::providers::user::UserContext;
    use leptos_router::components::Router;
    use leptos_router::location::RequestUrl;
    let owner = Owner::new();
    owner.with(|| {
        provide_context(RequestUrl::new("/"));
        provide_context(UserContext::new(None));
        let top = view! {
            <Router>
                <SkipLinks />
                <Header />
            </Router>
        }
        .to_html();
        let bottom = view! { <Footer /> }.to_html();
        (top, bottom)
    })
}
