//! The words of the messages that carry one-time codes, per channel (askama templates under
//! `templates/messages/`): the code, how long it is valid and the app's name, in a text and an
//! HTML body for mail and one short line for SMS and push. An operator can replace each channel's
//! template with a file in `message_dir` (see [`Overrides`]).

use std::collections::HashMap;
use std::path::Path;

use askama::Template;

use crate::channels::{Email, Push, Sms};
use crate::domain::one_time_code::Purpose;
use crate::i18n::{Arg, Tr};

/// What any message about one code says.
pub struct CodeMessage<'a> {
    pub purpose: Purpose,
    pub code: &'a str,
    pub minutes: i64,
    /// The application the person is signing in to (or our own name).
    pub app: &'a str,
    /// The application's logo as an absolute URL, for the HTML mail (not in overrides).
    pub logo: Option<&'a str>,
    pub overrides: &'a Overrides,
    /// A page where the code is typed (password reset: the reset form for this code), so a
    /// code sent without the person being on our pages (an admin sent it) can be used.
    pub link: Option<&'a str>,
    /// The language of the person the code is for.
    pub tr: &'a Tr,
}

/// Templates that replace the built-in ones, read once at start from `message_dir`. They use
/// `{{ code }}`, `{{ minutes }}`, `{{ app }}`, `{{ noun }}` ("sign-in code", "password reset
/// code"…) and `{{ lead }}` (the sentence introducing the code); values are HTML-escaped in
/// `.html` templates.
#[derive(Debug, Clone, Default)]
pub struct Overrides(HashMap<&'static str, String>);

/// The files a `message_dir` may hold.
pub const OVERRIDABLE: [&str; 5] = [
    "code_email.subject",
    "code_email.txt",
    "code_email.html",
    "code_sms.txt",
    "code_push.txt",
];

impl Overrides {
    /// Reads the templates present in `dir`; missing files keep the built-in ones.
    pub fn load(dir: Option<&Path>) -> std::io::Result<Overrides> {
        let mut found = HashMap::new();
        if let Some(dir) = dir {
            for name in OVERRIDABLE {
                match std::fs::read_to_string(dir.join(name)) {
                    Ok(text) => {
                        found.insert(name, text.trim_end().to_owned());
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(Overrides(found))
    }

    pub fn names(&self) -> Vec<&'static str> {
        let mut names: Vec<_> = self.0.keys().copied().collect();
        names.sort_unstable();
        names
    }

    fn render(&self, name: &str, values: &[(&str, &str)]) -> Option<String> {
        let template = self.0.get(name)?;
        let html = name.ends_with(".html");
        let mut out = template.clone();
        for (key, value) in values {
            let value = if html {
                askama::filters::escape(value, askama::filters::Html)
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            } else {
                (*value).to_owned()
            };
            for spelling in [format!("{{{{ {key} }}}}"), format!("{{{{{key}}}}}")] {
                out = out.replace(&spelling, &value);
            }
        }
        Some(out)
    }
}

#[derive(Template)]
#[template(path = "messages/code_email.txt")]
struct EmailText<'a> {
    tr: &'a Tr,
    link: Option<&'a str>,
    lead: &'a str,
    code: &'a str,
    minutes: i64,
    app: &'a str,
    is_reset: bool,
}

#[derive(Template)]
#[template(path = "messages/code_email.html")]
struct EmailHtml<'a> {
    tr: &'a Tr,
    logo: Option<&'a str>,
    link: Option<&'a str>,
    subject: &'a str,
    lead: &'a str,
    code: &'a str,
    minutes: i64,
    app: &'a str,
    is_reset: bool,
}

impl CodeMessage<'_> {
    /// The catalog key suffix of this code's purpose (`msg-subject-<suffix>`, `msg-lead-…`).
    fn purpose_key(&self) -> &'static str {
        match self.purpose {
            Purpose::Login => "login",
            Purpose::Register => "register",
            Purpose::Reset => "reset",
            Purpose::EmailChange => "email-change",
            Purpose::PhoneConfirm => "phone-confirm",
        }
    }

    fn noun(&self) -> String {
        self.tr.t(match self.purpose {
            Purpose::Login => "msg-noun-login",
            Purpose::Register => "msg-noun-register",
            Purpose::Reset => "msg-noun-reset",
            Purpose::EmailChange | Purpose::PhoneConfirm => "msg-noun-confirm",
        })
    }

    fn subject(&self) -> String {
        let key = format!("msg-subject-{}", self.purpose_key());
        self.tr.a(&key, "app", self.app)
    }

    fn lead(&self) -> String {
        let key = format!("msg-lead-{}", self.purpose_key());
        self.tr.a(&key, "app", self.app)
    }

    /// The one line of an SMS or push message (`msg-sms`, `msg-push`).
    fn line(&self, key: &str, noun: &str) -> String {
        self.tr.args(
            key,
            &[
                ("code", Arg::Text(self.code.to_owned())),
                ("app", Arg::Text(self.app.to_owned())),
                ("noun", Arg::Text(noun.to_owned())),
                ("minutes", Arg::Number(self.minutes)),
            ],
        )
    }

    fn values<'b>(
        &'b self,
        lead: &'b str,
        minutes: &'b str,
        noun: &'b str,
    ) -> [(&'b str, &'b str); 5] {
        [
            ("code", self.code),
            ("minutes", minutes),
            ("app", self.app),
            ("noun", noun),
            ("lead", lead),
        ]
    }

    pub fn email(&self, to: &str) -> Result<Email, askama::Error> {
        let (subject, lead, noun) = (self.subject(), self.lead(), self.noun());
        let minutes = self.minutes.to_string();
        let values = self.values(&lead, &minutes, &noun);
        let subject = self
            .overrides
            .render("code_email.subject", &values)
            .unwrap_or(subject);
        let is_reset = self.purpose == Purpose::Reset;
        let text = self.overrides.render("code_email.txt", &values);
        let html = self.overrides.render("code_email.html", &values);
        Ok(Email {
            to: to.to_owned(),
            text: match text {
                Some(text) => text,
                None => EmailText {
                    tr: self.tr,
                    link: self.link,
                    lead: &lead,
                    code: self.code,
                    minutes: self.minutes,
                    app: self.app,
                    is_reset,
                }
                .render()?,
            },
            html: match html {
                Some(html) => html,
                None => EmailHtml {
                    tr: self.tr,
                    logo: self.logo,
                    link: self.link,
                    subject: &subject,
                    lead: &lead,
                    code: self.code,
                    minutes: self.minutes,
                    app: self.app,
                    is_reset,
                }
                .render()?,
            },
            subject,
        })
    }

    pub fn sms(&self, to: &str) -> Result<Sms, askama::Error> {
        let (lead, minutes, noun) = (self.lead(), self.minutes.to_string(), self.noun());
        let body = self
            .overrides
            .render("code_sms.txt", &self.values(&lead, &minutes, &noun))
            .unwrap_or_else(|| self.line("msg-sms", &noun));
        Ok(Sms {
            to: to.to_owned(),
            body,
        })
    }

    pub fn push(&self, device_token: &str) -> Result<Push, askama::Error> {
        let (lead, minutes, noun) = (self.lead(), self.minutes.to_string(), self.noun());
        let body = self
            .overrides
            .render("code_push.txt", &self.values(&lead, &minutes, &noun))
            .unwrap_or_else(|| self.line("msg-push", &noun));
        Ok(Push {
            device_token: device_token.to_owned(),
            title: self.tr.a("msg-push-title", "noun", &noun),
            body,
        })
    }
}
