//! The emails and SMS the service sends: their texts, built from plain values.
//!
//! A personal link (it carries a token) is written « {{lien}} »: the outbox keeps it apart and
//! puts it in at sending time only, so no stored body holds a token once the message is gone.

/// Placeholder of the personal link in bodies.
pub const LINK: &str = "{{lien}}";

/// An SMS is one part of 160 GSM-7 units at most (longer ones are split and cost more, and some
/// phones show them out of order).
pub const SMS_MAX_UNITS: usize = 160;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    /// Paragraphs; a paragraph equal to « {{lien}} » or to a URL becomes a link in HTML.
    pub paragraphs: Vec<String>,
    /// What the message's main link does (« Activer mon compte »): in HTML, that link is a
    /// button with these words, its address written under it.
    pub action: Option<&'static str>,
}

/// The HTML layout of every email (`{{sujet}}`, `{{corps}}`): a phone-width column, the
/// bloc-marque, the subject as title.
const EMAIL_TEMPLATE: &str = include_str!("email.html");

impl Email {
    pub fn text(&self) -> String {
        let mut out = self.paragraphs.join("\n\n");
        out.push('\n');
        out
    }

    /// The HTML body: the template filled with the same paragraphs, escaped; the main link is
    /// a button, other links are clickable.
    pub fn html(&self) -> String {
        let mut body = String::new();
        let mut button_done = false;
        for p in &self.paragraphs {
            if p == LINK || p.starts_with("https://") || p.starts_with("http://") {
                let href = escape(p);
                match self.action.filter(|_| !button_done) {
                    Some(label) => {
                        button_done = true;
                        body.push_str(&format!(
                            "<p style=\"margin:24px 0 8px 0\"><a href=\"{href}\" style=\"display:inline-block;background:#000091;color:#ffffff;text-decoration:none;padding:10px 20px;font-weight:bold\">{}</a></p>\
                             <p style=\"margin:0 0 16px 0;font-size:14px;color:#3a3a3a\">Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur : <a href=\"{href}\" style=\"color:#000091;word-break:break-all\">{href}</a></p>",
                            escape(label)
                        ));
                    }
                    None => body.push_str(&format!(
                        "<p><a href=\"{href}\" style=\"color:#000091;word-break:break-all\">{href}</a></p>"
                    )),
                }
            } else {
                body.push_str("<p style=\"margin:0 0 16px 0\">");
                body.push_str(&escape(p).replace('\n', "<br>"));
                body.push_str("</p>");
            }
        }
        EMAIL_TEMPLATE
            .replace("{{sujet}}", &escape(&self.subject))
            .replace("{{corps}}", &body)
    }
}

/// A piece of a sent message as « Mes messages » shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessagePart {
    /// A paragraph (its lines).
    Text(Vec<String>),
    /// An address, shown as a link.
    Link(String),
}

/// A message's text body cut into its paragraphs, the addresses apart (to be links).
pub fn pieces(body: &str) -> Vec<MessagePart> {
    body.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            if !p.contains(char::is_whitespace)
                && (p.starts_with("https://") || p.starts_with("http://"))
            {
                MessagePart::Link(p.to_string())
            } else {
                MessagePart::Text(p.lines().map(str::to_string).collect())
            }
        })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const SIGNATURE: &str =
    "Cordialement,\nLe service des permis de conduire\n(Ce message est envoyé automatiquement : merci de ne pas y répondre.)";

/// What every message about a demande names.
#[derive(Clone, Debug)]
pub struct DemandeRef<'a> {
    pub prenom: &'a str,
    pub school_name: &'a str,
    pub numero: &'a str,
}

/// New account: activate it within 7 days through the link (the text of the real service).
pub fn activation_email(d: &DemandeRef<'_>, deadline: &str) -> Email {
    Email {
        action: Some("Activer mon compte"),
        subject: "Activez votre compte pour valider votre demande de permis de conduire".into(),
        paragraphs: vec![
            format!("Bonjour {},", d.prenom),
            format!(
                "Votre école de conduite ({}) a effectué une démarche pour vous : la demande de permis de conduire n° {}. Plus qu'une seule étape pour valider les informations saisies.",
                d.school_name, d.numero
            ),
            "Pour cela, cliquez sur le lien ci-dessous qui vous permettra d'activer votre compte, puis laissez-vous guider pour valider la demande formulée par votre école de conduite.".into(),
            "Cliquez sur le lien ci-dessous pour confirmer votre adresse électronique et définir votre mot de passe :".into(),
            LINK.into(),
            format!(
                "Attention : sans activation de votre part avant le {deadline}, le compte sera supprimé, et avec lui la demande saisie par votre école de conduite. Elle devrait alors tout recommencer."
            ),
            "Une fois votre compte activé, vous recevrez par courriel votre identifiant de connexion.".into(),
            "Si vous n'êtes pas concerné(e) par cette demande, ignorez ce message : sans activation, le compte et la demande seront supprimés.".into(),
            SIGNATURE.into(),
        ],
    }
}

pub fn activation_sms(d: &DemandeRef<'_>, masked_email: &str, deadline_day: &str) -> String {
    let with_email = format!(
        "Permis de conduire : votre auto-école a saisi la demande No {}. Activez votre compte avant le {deadline_day} via le lien envoyé à {masked_email}",
        d.numero
    );
    if gsm7_units(&with_email).is_some_and(|n| n <= SMS_MAX_UNITS) {
        with_email
    } else {
        format!(
            "Permis de conduire : votre auto-école a saisi la demande No {}. Activez votre compte avant le {deadline_day} via le lien envoyé par courriel.",
            d.numero
        )
    }
}

/// Reminder (days 3 and 6): the account will be deleted at the deadline.
pub fn rappel_activation_email(prenom: &str, numero: &str, deadline: &str) -> Email {
    Email {
        action: Some("Activer mon compte"),
        subject: "Rappel : activez votre compte pour valider votre demande de permis".into(),
        paragraphs: vec![
            format!("Bonjour {prenom},"),
            format!("Votre école de conduite a saisi pour vous la demande de permis de conduire n° {numero}, mais votre compte n'est pas encore activé."),
            format!("Sans activation avant le {deadline}, le compte et la demande seront supprimés. Pour l'activer, cliquez sur le lien ci-dessous :"),
            LINK.into(),
            SIGNATURE.into(),
        ],
    }
}

pub fn rappel_activation_sms(numero: &str, deadline_day: &str) -> String {
    format!(
        "Permis de conduire : rappel, activez votre compte avant le {deadline_day} avec le lien envoyé par courriel, sinon la demande No {numero} sera supprimée."
    )
}

/// Existing account: log in and validate.
pub fn invitation_email(d: &DemandeRef<'_>, login_url: &str) -> Email {
    Email {
        action: Some("Me connecter à mon espace"),
        subject: "Une demande de permis de conduire attend votre validation".into(),
        paragraphs: vec![
            format!("Bonjour {},", d.prenom),
            format!(
                "Votre école de conduite ({}) a saisi pour vous la demande de permis de conduire n° {}.",
                d.school_name, d.numero
            ),
            "Connectez-vous à votre espace avec vos identifiants habituels, vérifiez la demande dans « Mes démarches en cours », puis validez-la (ou refusez-la si elle comporte une erreur) :".into(),
            login_url.into(),
            SIGNATURE.into(),
        ],
    }
}

pub fn invitation_sms(d: &DemandeRef<'_>) -> String {
    format!(
        "Permis de conduire : votre auto-école a saisi la demande No {}. Connectez-vous à votre espace pour la vérifier et la valider.",
        d.numero
    )
}

/// After activation, or on « Identifiant oublié ? ».
pub fn identifiant_email(prenom: &str, identifiant: &str, login_url: &str, first: bool) -> Email {
    let intro = if first {
        "Votre compte est activé. Voici votre identifiant de connexion :"
    } else {
        "Vous avez demandé à recevoir votre identifiant de connexion. Le voici :"
    };
    Email {
        action: Some("Me connecter"),
        subject: "Votre identifiant de connexion".into(),
        paragraphs: vec![
            format!("Bonjour {prenom},"),
            intro.into(),
            identifiant.into(),
            "Vous pouvez aussi vous connecter avec votre adresse électronique. Votre mot de passe n'est jamais envoyé par courriel : si vous l'avez oublié, utilisez « Mot de passe oublié ? » sur la page de connexion :".into(),
            login_url.into(),
            "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : personne d'autre ne l'a reçu.".into(),
            SIGNATURE.into(),
        ],
    }
}

pub fn reset_email(prenom: &str) -> Email {
    Email {
        action: Some("Choisir un nouveau mot de passe"),
        subject: "Réinitialisation de votre mot de passe".into(),
        paragraphs: vec![
            format!("Bonjour {prenom},"),
            "Pour choisir un nouveau mot de passe, cliquez sur le lien ci-dessous. Il ne fonctionne qu'une fois et pendant une heure :".into(),
            LINK.into(),
            "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe actuel reste valable.".into(),
            SIGNATURE.into(),
        ],
    }
}

/// To the account's owner, after a change of password from a logged-in session.
pub fn password_changed_email(prenom: &str) -> Email {
    Email {
        action: None,
        subject: "Votre mot de passe a été modifié".into(),
        paragraphs: vec![
            format!("Bonjour {prenom},"),
            "Le mot de passe de votre compte vient d'être modifié. Les autres sessions ouvertes sur votre compte ont été fermées.".into(),
            "Si vous n'êtes pas à l'origine de ce changement, utilisez tout de suite « Mot de passe oublié ? » sur la page de connexion pour en choisir un nouveau, puis prévenez l'assistance (page « Aide et contact »).".into(),
            SIGNATURE.into(),
        ],
    }
}

/// To a candidate who activated through FranceConnect and has just chosen a password.
pub fn password_chosen_email(prenom: &str, identifiant: &str) -> Email {
    Email {
        action: None,
        subject: "Votre compte a désormais un mot de passe".into(),
        paragraphs: vec![
            format!("Bonjour {prenom},"),
            format!("Vous avez choisi un mot de passe et une question secrète : vous pouvez maintenant vous connecter avec votre identifiant ({identifiant}) et ce mot de passe, en plus de FranceConnect."),
            "Si vous n'êtes pas à l'origine de ce changement, prévenez tout de suite l'assistance (page « Aide et contact »).".into(),
            SIGNATURE.into(),
        ],
    }
}

/// To the school: the candidate refused the demande.
pub fn refus_email_ecole(
    numero: &str,
    candidat: &str,
    motif: Option<&str>,
    list_url: &str,
) -> Email {
    let mut paragraphs = vec![
        "Bonjour,".to_string(),
        format!("{candidat} a refusé la demande de permis de conduire n° {numero} que vous aviez saisie pour lui ou elle."),
    ];
    if let Some(m) = motif.filter(|m| !m.trim().is_empty()) {
        paragraphs.push(format!("Motif indiqué : « {} »", m.trim()));
    }
    paragraphs.push("Cette demande ne peut plus être modifiée : vérifiez les informations avec le candidat, puis saisissez une nouvelle demande depuis « Mes demandes » :".into());
    paragraphs.push(list_url.into());
    paragraphs.push(SIGNATURE.into());
    Email {
        action: Some("Voir mes demandes"),
        subject: format!("Demande n° {numero} refusée par le candidat"),
        paragraphs,
    }
}

/// To the candidate, after validating: e-photo (complete) or paper form (to post).
pub fn decision_email(
    prenom: &str,
    numero: &str,
    paper_deadline: Option<&str>,
    url: &str,
) -> Email {
    let (subject, body) = match paper_deadline {
        None => (
            format!("Demande n° {numero} transmise"),
            "Vous avez validé votre demande de permis de conduire : elle est transmise au service instructeur et votre démarche est terminée. Votre justificatif de dépôt est disponible dans votre espace :".to_string(),
        ),
        Some(deadline) => (
            format!("Demande n° {numero} : envoyez le formulaire photo-signature"),
            format!("Vous avez validé votre demande de permis de conduire. Dernière étape : imprimez le formulaire photo-signature, complétez-le et envoyez-le par courrier avant le {deadline}. Le formulaire et les consignes sont dans votre espace :"),
        ),
    };
    Email {
        action: Some("Voir ma demande"),
        subject,
        paragraphs: vec![
            format!("Bonjour {prenom},"),
            body,
            url.into(),
            SIGNATURE.into(),
        ],
    }
}

/// Day 10 without the paper form: a reminder to the candidate.
pub fn rappel_papier_email(prenom: &str, numero: &str, deadline: &str, url: &str) -> Email {
    Email {
        action: Some("Voir ma demande"),
        subject: format!("Rappel : envoyez le formulaire photo-signature de la demande n° {numero}"),
        paragraphs: vec![
            format!("Bonjour {prenom},"),
            format!("Le centre de traitement n'a pas encore reçu le formulaire photo-signature de votre demande de permis de conduire n° {numero}. Il doit lui parvenir avant le {deadline}, sinon votre demande ne pourra pas être instruite."),
            "Si vous l'avez déjà posté, vous n'avez rien à faire. Sinon, imprimez-le depuis votre espace, complétez-le et envoyez-le sans attendre :".into(),
            url.into(),
            SIGNATURE.into(),
        ],
    }
}

pub fn rappel_papier_sms(numero: &str, deadline_day: &str) -> String {
    format!(
        "Permis de conduire : le formulaire photo-signature de la demande No {numero} n'est pas encore arrivé. Envoyez-le avant le {deadline_day} (voir votre espace)."
    )
}

/// Day 15 without the paper form: the candidate is told what to do.
pub fn papier_non_recu_email(prenom: &str, numero: &str, url: &str) -> Email {
    Email {
        action: Some("Voir ma demande"),
        subject: format!("Demande n° {numero} : formulaire photo-signature non reçu"),
        paragraphs: vec![
            format!("Bonjour {prenom},"),
            format!("Le centre de traitement n'a pas reçu, dans les 15 jours suivant votre validation, le formulaire photo-signature de votre demande de permis de conduire n° {numero}. Sans lui, la demande ne peut pas être instruite."),
            "Si vous ne l'avez pas encore envoyé, imprimez-le depuis votre espace et envoyez-le dès aujourd'hui : la demande sera instruite à sa réception. Si vous l'avez déjà envoyé, il peut encore arriver ; en cas de doute, parlez-en à votre école de conduite.".into(),
            url.into(),
            SIGNATURE.into(),
        ],
    }
}

pub fn papier_non_recu_sms(numero: &str) -> String {
    format!(
        "Permis de conduire : formulaire photo-signature de la demande No {numero} non arrivé au centre. Envoyez-le sans tarder (voir votre espace)."
    )
}

/// Day 15 without the paper form: the school is told too.
pub fn papier_non_recu_email_ecole(numero: &str, candidat: &str, list_url: &str) -> Email {
    Email {
        action: Some("Voir mes demandes"),
        subject: format!("Demande n° {numero} : formulaire photo-signature non reçu"),
        paragraphs: vec![
            "Bonjour,".into(),
            format!("{candidat} a validé la demande de permis de conduire n° {numero}, mais le centre de traitement n'a pas reçu son formulaire photo-signature dans les 15 jours. La demande est « Formulaire photo-signature non reçu » et ne peut pas être instruite."),
            "Rapprochez-vous du candidat : il peut encore imprimer le formulaire depuis son espace et l'envoyer ; la demande sera instruite à sa réception. Vous n'avez pas de nouvelle demande à saisir.".into(),
            list_url.into(),
            SIGNATURE.into(),
        ],
    }
}

/// The processing centre received the paper form: the demande goes to instruction.
pub fn papier_recu_email(prenom: &str, numero: &str, url: &str) -> Email {
    Email {
        action: Some("Voir ma demande"),
        subject: format!("Demande n° {numero} : formulaire photo-signature reçu"),
        paragraphs: vec![
            format!("Bonjour {prenom},"),
            format!("Le centre de traitement a reçu le formulaire photo-signature de votre demande de permis de conduire n° {numero}. La demande est transmise au service instructeur : votre démarche est terminée. Vous serez informé(e) par courriel de la suite."),
            url.into(),
            SIGNATURE.into(),
        ],
    }
}

/// To the school: the centre asks for a complement (every item with its reason, the date).
pub fn complement_email_ecole(
    numero: &str,
    candidat: &str,
    items: &[String],
    deadline: &str,
    url: &str,
) -> Email {
    let mut paragraphs = vec![
        "Bonjour,".to_string(),
        format!("Le centre qui instruit la demande de permis de conduire n° {numero} ({candidat}) demande un complément. Remplacez ces éléments avant le {deadline} :"),
        items.iter().map(|i| format!("• {i}")).collect::<Vec<_>>().join("\n"),
        "Seuls ces éléments sont à reprendre : le reste de la demande est conservé. Sans réponse à cette date, la demande sera classée sans suite.".into(),
    ];
    paragraphs.push(url.into());
    paragraphs.push(SIGNATURE.into());
    Email {
        action: Some("Compléter la demande"),
        subject: format!("Demande n° {numero} : complément demandé avant le {deadline}"),
        paragraphs,
    }
}

/// To the candidate: the centre asked their school for a complement.
pub fn complement_email_usager(
    prenom: &str,
    numero: &str,
    items: &[String],
    deadline: &str,
    url: &str,
) -> Email {
    Email {
        action: Some("Voir ma demande"),
        subject: format!("Demande n° {numero} : un complément est demandé à votre école"),
        paragraphs: vec![
            format!("Bonjour {prenom},"),
            format!("Le centre qui instruit votre demande de permis de conduire n° {numero} a demandé à votre école de conduite de remplacer, avant le {deadline} :"),
            items.iter().map(|i| format!("• {i}")).collect::<Vec<_>>().join("\n"),
            "Votre école s'en occupe ; elle peut avoir besoin de vous pour un nouveau document. Le détail est dans votre espace :".into(),
            url.into(),
            SIGNATURE.into(),
        ],
    }
}

pub fn complement_sms(numero: &str, deadline: &str) -> String {
    format!(
        "Permis de conduire : un complément est demandé pour la demande No {numero}, à fournir par votre école avant le {deadline}. Détail dans votre espace."
    )
}

/// To the school: the candidate is registered.
pub fn inscription_email_ecole(numero: &str, candidat: &str, neph: &str, url: &str) -> Email {
    Email {
        action: Some("Voir mes demandes"),
        subject: format!("Demande n° {numero} : inscription enregistrée"),
        paragraphs: vec![
            "Bonjour,".into(),
            format!("La demande de permis de conduire n° {numero} de {candidat} est acceptée. Son numéro d'inscription (NEPH) est {neph}."),
            "L'attestation d'inscription est téléchargeable depuis la liste de vos demandes :".into(),
            url.into(),
            SIGNATURE.into(),
        ],
    }
}

/// To the candidate: registered, with the NEPH and the attestation's validity.
pub fn inscription_email_usager(
    prenom: &str,
    numero: &str,
    neph: &str,
    valid_until: &str,
    url: &str,
) -> Email {
    Email {
        action: Some("Télécharger mon attestation"),
        subject: format!("Demande n° {numero} acceptée : votre numéro NEPH"),
        paragraphs: vec![
            format!("Bonjour {prenom},"),
            format!("Votre demande de permis de conduire n° {numero} est acceptée : votre inscription est enregistrée sous le numéro NEPH {neph}. Gardez ce numéro : il vous sera demandé pour l'examen."),
            format!("Votre attestation d'inscription, valable jusqu'au {valid_until}, est dans votre espace :"),
            url.into(),
            SIGNATURE.into(),
        ],
    }
}

/// To the candidate (`prenom`) or the school (`None`): the demande is rejected, with its
/// motivation and the routes of appeal.
pub fn rejet_email(
    prenom: Option<&str>,
    numero: &str,
    candidat: &str,
    motif: super::instruction::MotifRejet,
    motivation: &str,
    url: &str,
) -> Email {
    let mut paragraphs = vec![
        match prenom {
            Some(p) => format!("Bonjour {p},"),
            None => "Bonjour,".into(),
        },
        match prenom {
            Some(_) => format!("Votre demande de permis de conduire n° {numero} est rejetée."),
            None => {
                format!("La demande de permis de conduire n° {numero} de {candidat} est rejetée.")
            }
        },
        format!("Motif : {}.", motif.label()),
        format!("Motivation : {}", motivation.trim()),
        format!("Fondement : {}.", motif.fondement()),
        "Voies et délais de recours".into(),
    ];
    paragraphs.extend(
        super::instruction::VOIES_DE_RECOURS
            .iter()
            .map(|l| l.to_string()),
    );
    paragraphs.push("La décision et son détail sont aussi disponibles en ligne :".into());
    paragraphs.push(url.into());
    paragraphs.push(SIGNATURE.into());
    Email {
        action: Some("Voir la décision"),
        subject: format!("Demande n° {numero} : décision de rejet"),
        paragraphs,
    }
}

/// Seven days before the complement's deadline: a reminder to the school.
pub fn rappel_complement_email(numero: &str, candidat: &str, deadline: &str, url: &str) -> Email {
    Email {
        action: Some("Compléter la demande"),
        subject: format!("Rappel : complément de la demande n° {numero} avant le {deadline}"),
        paragraphs: vec![
            "Bonjour,".into(),
            format!("Le complément demandé pour la demande de permis de conduire n° {numero} ({candidat}) n'a pas encore été envoyé. Sans réponse avant le {deadline}, la demande sera classée sans suite."),
            url.into(),
            SIGNATURE.into(),
        ],
    }
}

/// The complement's deadline passed: the demande is closed (to the candidate or the school).
pub fn classement_email(prenom: Option<&str>, numero: &str, candidat: &str, url: &str) -> Email {
    let mut paragraphs = vec![
        match prenom {
            Some(p) => format!("Bonjour {p},"),
            None => "Bonjour,".into(),
        },
        format!("Le complément demandé pour la demande de permis de conduire n° {numero} ({candidat}) n'a pas été reçu dans le délai fixé. La demande est classée sans suite : elle n'est plus instruite."),
        "Motivation : les éléments demandés sont nécessaires à l'instruction (code des relations entre le public et l'administration, art. L114-5). Pour obtenir l'inscription, l'école de conduite doit saisir une nouvelle demande.".into(),
        "Voies et délais de recours".into(),
    ];
    paragraphs.extend(
        super::instruction::VOIES_DE_RECOURS
            .iter()
            .map(|l| l.to_string()),
    );
    paragraphs.push(url.into());
    paragraphs.push(SIGNATURE.into());
    Email {
        action: Some("Voir la demande"),
        subject: format!("Demande n° {numero} classée sans suite"),
        paragraphs,
    }
}

/// GSM 03.38 basic character set (one unit each).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Its extension table (two units each: escape + character).
const GSM7_EXTENDED: &str = "^{}\\[~]|€\u{c}";

/// Length of `text` in GSM-7 units, or `None` when a character is outside GSM-7 (the SMS
/// would be sent as UCS-2 and hold only 70 characters).
pub fn gsm7_units(text: &str) -> Option<usize> {
    text.chars().try_fold(0usize, |n, c| {
        if GSM7_BASIC.contains(c) {
            Some(n + 1)
        } else if GSM7_EXTENDED.contains(c) {
            Some(n + 2)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demande() -> DemandeRef<'static> {
        DemandeRef {
            prenom: "Maximilien-Alexandre",
            school_name: "Auto-école de la Gare et des Environs de Paris",
            numero: "974-261126-1234",
        }
    }

    fn mask(e: &str) -> String {
        super::super::activation::mask_email(e)
    }

    #[test]
    fn sms_fit_one_gsm7_part_even_with_long_values() {
        let d = demande();
        let texts = [
            activation_sms(&d, &mask("m@example.fr"), "03/12"),
            activation_sms(
                &d,
                &mask("m@un-domaine-particulierement-long.exemple.fr"),
                "03/12",
            ),
            invitation_sms(&d),
            rappel_activation_sms(d.numero, "03/12"),
            rappel_papier_sms(d.numero, "03/12"),
            papier_non_recu_sms(d.numero),
            complement_sms(d.numero, "28/12/2026"),
        ];
        for t in texts {
            let units = gsm7_units(&t).unwrap_or_else(|| panic!("not GSM-7: {t}"));
            assert!(units <= SMS_MAX_UNITS, "{units} units: {t}");
        }
    }

    #[test]
    fn gsm7_counts_units() {
        assert_eq!(gsm7_units("Bonjour"), Some(7));
        assert_eq!(gsm7_units("été"), Some(3));
        assert_eq!(gsm7_units("€"), Some(2));
        assert_eq!(gsm7_units("« ê »"), None);
    }

    #[test]
    fn activation_email_has_the_link_and_the_deadline() {
        let e = activation_email(&demande(), "jeudi 3 décembre 2026 à 10 h 00");
        let text = e.text();
        assert!(text.contains("Votre école de conduite"));
        assert!(text.contains(LINK));
        assert!(text.contains("3 décembre 2026"));
        assert!(text.contains("974-261126-1234"));
        assert!(e.html().contains(&format!("<a href=\"{LINK}\"")));
    }

    #[test]
    fn emails_are_laid_out_for_a_phone_with_a_button_and_say_the_same_as_their_text() {
        let e = activation_email(&demande(), "jeudi 3 décembre 2026 à 10 h 00");
        let html = e.html();
        assert!(html
            .contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
        assert!(html.contains("max-width:600px"));
        assert!(html.contains("République<br>Française"));
        // The main link is a button saying what it does, its address written under it.
        assert!(html.contains(&format!(
            "<a href=\"{LINK}\" style=\"display:inline-block;background:#000091"
        )));
        assert!(html.contains(">Activer mon compte</a>"));
        assert!(html.contains("Si le bouton ne fonctionne pas"));
        // Every paragraph of the text is in the HTML.
        for p in &e.paragraphs {
            let first_line = escape(p.lines().next().unwrap_or(""));
            assert!(html.contains(&first_line), "{p}");
        }
        // No placeholder of the template is left.
        assert!(!html.contains("{{sujet}}") && !html.contains("{{corps}}"));
        // Every email with a link says what its link does.
        for e in [
            rappel_activation_email("Léa", "75-1", "demain"),
            invitation_email(&demande(), "https://x/connexion"),
            reset_email("Léa"),
            decision_email("Léa", "75-1", None, "https://x/monespace/demandes/1"),
            papier_recu_email("Léa", "75-1", "https://x/monespace/demandes/1"),
        ] {
            assert!(e.action.is_some(), "{}", e.subject);
            assert!(e.html().contains("display:inline-block"), "{}", e.subject);
        }
    }

    #[test]
    fn sent_messages_are_shown_as_paragraphs_with_their_links() {
        let e = invitation_email(&demande(), "https://permis.example/connexion");
        let shown = pieces(&e.text());
        assert_eq!(shown.len(), e.paragraphs.len());
        assert!(shown.contains(&MessagePart::Link(
            "https://permis.example/connexion".into()
        )));
        assert!(matches!(&shown[0], MessagePart::Text(lines) if lines[0].starts_with("Bonjour")));
        // The signature keeps its lines.
        assert!(matches!(shown.last(), Some(MessagePart::Text(lines)) if lines.len() == 3));
    }

    #[test]
    fn html_is_escaped() {
        let e = Email {
            action: None,
            subject: "<b>".into(),
            paragraphs: vec!["Tom & <Jerry>".into()],
        };
        let html = e.html();
        assert!(html.contains("Tom &amp; &lt;Jerry&gt;"));
        assert!(!html.contains("<Jerry>"));
    }

    #[test]
    fn no_password_is_ever_in_an_email() {
        let e = identifiant_email("Léa", "lmartin", "https://x/connexion", true);
        assert!(e.text().contains("lmartin"));
        assert!(e.text().contains("n'est jamais envoyé"));
    }
}
