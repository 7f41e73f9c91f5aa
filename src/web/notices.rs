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
    paragraphs: &'a [String],
    link_text: &'a str,
    link: &'a str,
    app: &'a str,
}

#[derive(Template)]
#[template(path = "messages/notice_email.html")]
struct NoticeHtml<'a> {
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

    /// Subject, paragraphs and the call to action (text, link) of the mail.
    fn words(
        self,
        app: &str,
        reset_link: &str,
        account_link: &str,
    ) -> (String, Vec<String>, &'static str, String) {
        match self {
            Notice::AlreadyRegistered => (
                format!("Your {app} account"),
                vec![
                    format!(
                        "Someone, maybe you, tried to create a new {app} account with this email \
                         address. You already have an account, so nothing was created and \
                         nothing was changed."
                    ),
                    "If it was you and you do not remember your password, you can choose a new \
                     one. If it was not you, you can ignore this message."
                        .to_owned(),
                ],
                "Choose a new password:",
                reset_link.to_owned(),
            ),
            Notice::PasswordChanged => (
                format!("Your {app} password was changed"),
                vec![
                    format!(
                        "The password of your {app} account was just changed, and every \
                         browser that was signed in to it was signed out."
                    ),
                    "If you did this, there is nothing else to do. If you did not, choose a new \
                     password right away: someone else may know your old one."
                        .to_owned(),
                ],
                "Choose a new password:",
                reset_link.to_owned(),
            ),
            Notice::PasswordChangedOnAccountPage => (
                format!("Your {app} password was changed"),
                vec![
                    format!(
                        "The password of your {app} account was just changed on its account \
                         page, and every other browser that was signed in to it was signed out."
                    ),
                    "If you did this, there is nothing else to do. If you did not, choose a new \
                     password right away: someone else may be signed in to your account."
                        .to_owned(),
                ],
                "Choose a new password:",
                reset_link.to_owned(),
            ),
            Notice::EmailChanged => (
                format!("The email address of your {app} account was changed"),
                vec![
                    format!(
                        "The email address of your {app} account was just changed. From now \
                         on you sign in with the new address, and messages about the account \
                         go there instead of to this one."
                    ),
                    "If you did this, there is nothing else to do. If you did not, contact \
                     your administrator right away: someone else may be signed in to your \
                     account."
                        .to_owned(),
                ],
                "Your account:",
                account_link.to_owned(),
            ),
            Notice::EmailInUse => (
                format!("Your {app} account"),
                vec![
                    format!(
                        "Someone, maybe you, asked to use this email address for another {app} \
                         account. It already belongs to your account, so nothing was changed."
                    ),
                    "If it was not you, you can ignore this message.".to_owned(),
                ],
                "Your account:",
                account_link.to_owned(),
            ),
        }
    }

    fn email(
        self,
        to: &str,
        sender: &Sender,
        reset_link: &str,
        account_link: &str,
    ) -> Result<Email, askama::Error> {
        let app = sender.name.as_str();
        let (subject, paragraphs, link_text, link) = self.words(app, reset_link, account_link);
        Ok(Email {
            to: to.to_owned(),
            text: NoticeText {
                paragraphs: &paragraphs,
                link_text,
                link: &link,
                app,
            }
            .render()?,
            html: NoticeHtml {
                subject: &subject,
                paragraphs: &paragraphs,
                link_text,
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
pub async fn send(state: &AppState, user: &User, notice: Notice, app: &Sender) {
    let links = (state.url("/password/forgot"), state.url("/account"));
    let email = match notice.email(&user.email, app, &links.0, &links.1) {
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
    };
    if let Err(e) = state
        .store
        .run(move |c| store::deliveries::insert_delivery(c, &delivery))
        .await
    {
        tracing::error!(error = %e, "could not record a delivery");
    }
}
