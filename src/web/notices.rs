//! Mail that tells people about their account without carrying a code: someone tried to
//! register with an address that already has an account, a password was changed (NIST SP
//! 800-63B §6.1.2.3: notify the subscriber of a changed authenticator), and the account's email
//! address was changed (the notice goes to the old address), or another account asked for an
//! address that is taken (the notice goes to its owner). Bodies are
//! askama templates under `templates/messages/notice_email.*`.
//!
//! A notice that cannot be delivered is logged (and recorded in `deliveries`), never shown:
//! the page must look the same whether or not the address belongs to an account.

use askama::Template;

use crate::channels::Email;
use crate::domain::user::User;
use crate::domain::verification::mask_email;
use crate::flows::AppState;
use crate::flows::branding::Sender;
use crate::i18n::Tr;
use crate::store;
use crate::store::deliveries::Delivery;

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Someone tried to create an account with this address; nothing was changed.
    AlreadyRegistered,
    /// The password was changed and every session ended.
    PasswordChanged,
    /// The password was changed on the account page; every other session ended.
    PasswordChangedOnAccountPage,
    /// The account's email address was changed; sent to the old address.
    EmailChanged,
    /// Someone asked to move another account to this address; nothing was changed.
    EmailInUse,
}

#[derive(Template)]
#[template(path = "messages/notice_email.txt")]
struct NoticeText<'a> {
    tr: &'a Tr,
    paragraphs: &'a [String],
    link_text: &'a str,
    link: &'a str,
    app: &'a str,
}

#[derive(Template)]
#[template(path = "messages/notice_email.html")]
struct NoticeHtml<'a> {
    tr: &'a Tr,
    /// The application's logo (an absolute URL), when it has one.
    logo: Option<&'a str>,
    subject: &'a str,
    paragraphs: &'a [String],
    link_text: &'a str,
    link: &'a str,
    app: &'a str,
}

impl Notice {
    fn purpose(self) -> &'static str {
        match self {
            Notice::AlreadyRegistered => "notice.already_registered",
            Notice::PasswordChanged | Notice::PasswordChangedOnAccountPage => {
                "notice.password_changed"
            }
            Notice::EmailChanged => "notice.email_changed",
            Notice::EmailInUse => "notice.email_in_use",
        }
    }

    /// The catalog key stem of the notice (`notice-<stem>-subject`, `-1`, `-2`).
    fn key(self) -> &'static str {
        match self {
            Notice::AlreadyRegistered => "already-registered",
            Notice::PasswordChanged => "password-changed",
            Notice::PasswordChangedOnAccountPage => "password-changed-account",
            Notice::EmailChanged => "email-changed",
            Notice::EmailInUse => "email-in-use",
        }
    }

    /// Subject, paragraphs and the call to action (text, link) of the mail.
    fn words(
        self,
        tr: &Tr,
        app: &str,
        reset_link: &str,
        account_link: &str,
    ) -> (String, Vec<String>, String, String) {
        let text = |part: &str| tr.a(&format!("notice-{}-{part}", self.key()), "app", app);
        let (link_text, link) = match self {
            Notice::EmailChanged | Notice::EmailInUse => ("notice-link-account", account_link),
            _ => ("notice-link-reset", reset_link),
        };
        (
            text("subject"),
            vec![text("1"), text("2")],
            tr.t(link_text),
            link.to_owned(),
        )
    }

    fn email(
        self,
        tr: &Tr,
        to: &str,
        sender: &Sender,
        (reset_link, account_link): (&str, &str),
    ) -> Result<Email, askama::Error> {
        let app = sender.name.as_str();
        let (subject, paragraphs, link_text, link) = self.words(tr, app, reset_link, account_link);
        Ok(Email {
            to: to.to_owned(),
            text: NoticeText {
                tr,
                paragraphs: &paragraphs,
                link_text: &link_text,
                link: &link,
                app,
            }
            .render()?,
            html: NoticeHtml {
                tr,
                subject: &subject,
                paragraphs: &paragraphs,
                link_text: &link_text,
                link: &link,
                app,
                logo: sender.logo_url.as_deref(),
            }
            .render()?,
            subject,
        })
    }
}

/// Mails `notice` to `user` (at the address `user` holds, so the old one for
/// [`Notice::EmailChanged`]) and records the attempt. Failures are logged only.
/// `lang` is the language of the page that caused it (a shipped tag).
pub async fn send(state: &AppState, user: &User, notice: Notice, app: &Sender, lang: &str) {
    let links = (state.url("/password/forgot"), state.url("/account"));
    let tr = Tr::new(lang);
    let email = match notice.email(&tr, &user.email, app, (&links.0, &links.1)) {
        Ok(email) => email,
        Err(e) => {
            tracing::error!(error = %e, purpose = notice.purpose(), "a notice did not render");
            return;
        }
    };
    let (provider, status, detail) = match state.live().channels.mail.send(&email).await {
        Ok(receipt) => (receipt.provider, "sent", receipt.detail),
        Err(e) => {
            tracing::warn!(provider = e.provider, error = %e.detail, purpose = notice.purpose(), "a notice was not delivered");
            (e.provider, "failed", e.detail)
        }
    };
    state.metrics.delivery("email", status);
    let delivery = Delivery {
        id: uuid::Uuid::now_v7().to_string(),
        channel: "email".into(),
        destination: mask_email(&user.email),
        purpose: notice.purpose().into(),
        user_id: Some(user.id.clone()),
        provider: provider.into(),
        status: status.into(),
        detail: Some(detail),
        created_at: state.now(),
        took_ms: None,
    };
    if let Err(e) = state
        .store
        .run(move |c| store::deliveries::insert_delivery(c, &delivery))
        .await
    {
        tracing::error!(error = %e, "could not record a delivery");
    }
}
