//! The words of the messages that carry one-time codes, per channel (askama templates under
//! `templates/messages/`): the code, how long it is valid and the app's name, in a text and an
//! HTML body for mail and one short line for SMS and push.

use askama::Template;

use crate::channels::{Email, Push, Sms};
use crate::domain::one_time_code::Purpose;

/// What any message about one code says.
pub struct CodeMessage<'a> {
    pub purpose: Purpose,
    pub code: &'a str,
    pub minutes: i64,
    /// The application the person is signing in to (or our own name).
    pub app: &'a str,
}

#[derive(Template)]
#[template(path = "messages/code_email.txt")]
struct EmailText<'a> {
    lead: &'a str,
    code: &'a str,
    minutes: i64,
    app: &'a str,
    is_reset: bool,
}

#[derive(Template)]
#[template(path = "messages/code_email.html")]
struct EmailHtml<'a> {
    subject: &'a str,
    lead: &'a str,
    code: &'a str,
    minutes: i64,
    app: &'a str,
    is_reset: bool,
}

#[derive(Template)]
#[template(path = "messages/code_sms.txt")]
struct SmsText<'a> {
    code: &'a str,
    minutes: i64,
    app: &'a str,
    noun: &'a str,
}

#[derive(Template)]
#[template(path = "messages/code_push.txt")]
struct PushText<'a> {
    code: &'a str,
    minutes: i64,
    app: &'a str,
    noun: &'a str,
}

impl CodeMessage<'_> {
    fn noun(&self) -> &'static str {
        match self.purpose {
            Purpose::Login => "sign-in code",
            Purpose::Register => "confirmation code",
            Purpose::Reset => "password reset code",
        }
    }

    fn subject(&self) -> String {
        match self.purpose {
            Purpose::Login => format!("Your sign-in code for {}", self.app),
            Purpose::Register => format!("Confirm your email for {}", self.app),
            Purpose::Reset => format!("Reset your {} password", self.app),
        }
    }

    fn lead(&self) -> String {
        match self.purpose {
            Purpose::Login => format!("Use this code to sign in to {}:", self.app),
            Purpose::Register => format!(
                "Use this code to confirm your email address and finish creating your {} account:",
                self.app
            ),
            Purpose::Reset => format!(
                "Someone asked to reset the password of your {} account. Use this code to choose a new one:",
                self.app
            ),
        }
    }

    pub fn email(&self, to: &str) -> Result<Email, askama::Error> {
        let (subject, lead) = (self.subject(), self.lead());
        let is_reset = self.purpose == Purpose::Reset;
        Ok(Email {
            to: to.to_owned(),
            text: EmailText {
                lead: &lead,
                code: self.code,
                minutes: self.minutes,
                app: self.app,
                is_reset,
            }
            .render()?,
            html: EmailHtml {
                subject: &subject,
                lead: &lead,
                code: self.code,
                minutes: self.minutes,
                app: self.app,
                is_reset,
            }
            .render()?,
            subject,
        })
    }

    pub fn sms(&self, to: &str) -> Result<Sms, askama::Error> {
        Ok(Sms {
            to: to.to_owned(),
            body: SmsText {
                code: self.code,
                minutes: self.minutes,
                app: self.app,
                noun: self.noun(),
            }
            .render()?,
        })
    }

    pub fn push(&self, device_token: &str) -> Result<Push, askama::Error> {
        Ok(Push {
            device_token: device_token.to_owned(),
            // ASCII only: ntfy carries the title in an HTTP header.
            title: format!("Your {}", self.noun()),
            body: PushText {
                code: self.code,
                minutes: self.minutes,
                app: self.app,
                noun: self.noun(),
            }
            .render()?,
        })
    }
}
