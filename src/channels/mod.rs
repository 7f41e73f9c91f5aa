//! How a message leaves the process: mail (lettre SMTP / outbox folder), SMS and push (HTTP
//! connectors). May depend on `domain` only. The one-time-code issue fills this in.
