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
