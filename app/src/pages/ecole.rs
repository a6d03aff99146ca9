//! The driving school's home: « Mes demandes ».

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::guard::RequireRole;
use crate::components::layout_bits::LastLogin;
use crate::domain::account::{Espace, Role};

#[component]
pub fn MesDemandesPage() -> impl IntoView {
    view! {
        <Title text="Mes demandes" />
        <RequireRole roles=&[Role::Ecole] espace=Espace::Pro children=|user| {
            view! {
                <div class="fr-container fr-my-6w">
                    <h1>"Mes demandes"</h1>
                    <p class="fr-mb-1w">
                        {user.school_name.clone().unwrap_or_default()}
                        {user.school_agrement.clone().map(|a| format!(" — agrément n° {a}"))}
                    </p>
                    <LastLogin user=user.clone() />
                    <div class="fr-table fr-mt-4w">
                        <div class="fr-table__wrapper">
                            <div class="fr-table__container">
                                <div class="fr-table__content">
                                    <table>
                                        <caption>"Demandes de permis de conduire de l'école"</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">"Numéro"</th>
                                                <th scope="col">"Prénom"</th>
                                                <th scope="col">"Nom"</th>
                                                <th scope="col">"Catégories"</th>
                                                <th scope="col">"Date de création"</th>
                                                <th scope="col">"Date de mise à jour"</th>
                                                <th scope="col">"État"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            <tr>
                                                <td colspan="7">"Aucune demande pour le moment."</td>
                                            </tr>
                                        </tbody>
                                    </table>
                                </div>
                            </div>
                        </div>
                    </div>
                </div>
            }
        } />
    }
}
