//! A DSFR table with its caption (the professional pages' lists).

use leptos::prelude::*;

#[component]
pub fn Table(
    caption: &'static str,
    head: &'static [&'static str],
    children: Children,
) -> impl IntoView {
    view! {
        <div class="fr-table">
            <div class="fr-table__wrapper">
                <div class="fr-table__container">
                    <div class="fr-table__content">
                        <table>
                            <caption>{caption}</caption>
                            <thead>
                                <tr>{head.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr>
                            </thead>
                            <tbody>{children()}</tbody>
                        </table>
                    </div>
                </div>
            </div>
        </div>
    }
    .into_any()
}

/// DSFR pagination: first, previous, the pages of `page_window` (the first, the last, two on
/// each side of the current one, « … » between), next, last. A few links whatever the number
/// of pages; `href` gives the address of page n.
#[component]
pub fn Pagination(
    current: u32,
    pages: u32,
    href: impl Fn(u32) -> String,
    label: &'static str,
) -> impl IntoView {
    // (class, text, target page), the target `None` where there is no other page to go to.
    let ends = |class: &'static str, text: &'static str, target: u32, enabled: bool| {
        let link = enabled.then(|| href(target));
        let disabled = (!enabled).then_some("true");
        let role = (!enabled).then_some("link");
        view! {
            <li>
                <a class=format!("fr-pagination__link {class}") href=link aria-disabled=disabled role=role>
                    {text}
                </a>
            </li>
        }
    };
    let first = ends(
        "fr-pagination__link--first",
        "Première page",
        1,
        current > 1,
    );
    let prev = ends(
        "fr-pagination__link--prev fr-pagination__link--lg-label",
        "Page précédente",
        current.saturating_sub(1).max(1),
        current > 1,
    );
    let next = ends(
        "fr-pagination__link--next fr-pagination__link--lg-label",
        "Page suivante",
        (current + 1).min(pages),
        current < pages,
    );
    let last = ends(
        "fr-pagination__link--last",
        "Dernière page",
        pages,
        current < pages,
    );
    let window = crate::domain::formats::page_window(current, pages)
        .into_iter()
        .map(|n| match n {
            Some(n) => {
                let is_current = n == current;
                view! {
                    <li>
                        <a
                            class="fr-pagination__link"
                            href=(!is_current).then(|| href(n))
                            aria-current=is_current.then_some("page")
                            title=format!("Page {n}")
                        >
                            {n}
                        </a>
                    </li>
                }
                .into_any()
            }
            None => view! {
                <li>
                    <span class="fr-pagination__link" aria-hidden="true">"…"</span>
                </li>
            }
            .into_any(),
        })
        .collect_view();
    view! {
        <nav role="navigation" class="fr-pagination" aria-label=label>
            <ul class="fr-pagination__list">{first} {prev} {window} {next} {last}</ul>
        </nav>
    }
}
