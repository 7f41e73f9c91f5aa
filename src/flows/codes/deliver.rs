//! Handing a code to the channel's provider, and logging every attempt in the delivery log.

use crate::channels::DeliveryError;
use crate::channels::messages::CodeMessage;
use crate::domain::one_time_code::{Channel, OneTimeCode, Purpose, mask_phone};
use crate::domain::user::User;
use crate::domain::verification::mask_email;
use crate::flows::AppState;
use crate::flows::FlowError;
use crate::flows::branding::Sender;
use crate::store;
use crate::store::deliveries::Delivery;
use crate::store::push_devices::PushDevice;

/// Sends `code` to `user` on the code's channel (to the code's `target`, a new address or
/// number being confirmed, if it has one) and logs each attempt. True if any message went out.
/// `app`: who sends it (name, logo); `lang`: the language the message speaks.
pub(super) async fn deliver(
    state: &AppState,
    row: &OneTimeCode,
    user: &User,
    code: &str,
    device_id: Option<&str>,
    app: &Sender,
    lang: &str,
) -> Result<bool, FlowError> {
    let tr = crate::i18n::Tr::new(lang);
    let link = (row.purpose == Purpose::Reset).then(|| {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("code_id", &row.id)
            .append_pair("email", &user.email)
            .finish();
        state.url(&format!("/password/reset?{query}"))
    });
    let message = CodeMessage {
        purpose: row.purpose,
        code,
        minutes: row.minutes_left(state.now()),
        app: &app.name,
        logo: app.logo_url.as_deref(),
        overrides: &state.message_overrides,
        link: link.as_deref(),
        tr: &tr,
    };
    let render = |e| FlowError::Internal(anyhow::Error::from(e));
    // Timed from before the first send: codes for nobody take as long (see `pace`).
    let started = std::time::Instant::now();
    let mut attempts: Vec<(String, Result<crate::channels::Receipt, DeliveryError>)> = Vec::new();
    match row.channel {
        Channel::Email => {
            let address = row.target.as_deref().unwrap_or(&user.email);
            let email = message.email(address).map_err(render)?;
            attempts.push((
                mask_email(address),
                state.live().channels.mail.send(&email).await,
            ));
        }
        Channel::Sms => {
            let number = row.target.as_deref().or(user.sms_number());
            if let (Some(sms), Some(number)) = (&state.live().channels.sms, number) {
                let text = message.sms(number).map_err(render)?;
                attempts.push((mask_phone(number), sms.send(&text).await));
            }
        }
        Channel::Push => {
            if let Some(push) = &state.live().channels.push {
                for device in devices(state, &user.id, device_id).await? {
                    let Ok(token) = state.sealer.open(&device.sealed_token) else {
                        continue;
                    };
                    let note = message
                        .push(&String::from_utf8_lossy(&token))
                        .map_err(render)?;
                    attempts.push((device.label.clone(), push.send(&note).await));
                }
            }
        }
    }
    let delivered = attempts.iter().any(|(_, r)| r.is_ok());
    let took_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let now = state.now();
    let log: Vec<Delivery> = attempts
        .into_iter()
        .map(|(destination, result)| {
            let (provider, status, detail) = match result {
                Ok(r) => (r.provider, "sent", r.detail),
                Err(e) => {
                    tracing::warn!(channel = row.channel.as_str(), provider = e.provider, error = %e.detail, "a message was not delivered");
                    (e.provider, "failed", e.detail)
                }
            };
            state.metrics.delivery(row.channel.as_str(), status);
            Delivery {
                id: uuid::Uuid::now_v7().to_string(),
                channel: row.channel.as_str().into(),
                destination,
                purpose: row.purpose.as_str().into(),
                user_id: Some(user.id.clone()),
                provider: provider.into(),
                status: status.into(),
                detail: Some(detail),
                created_at: now,
                took_ms: Some(took_ms),
            }
        })
        .collect();
    state
        .store
        .run(move |c| {
            for delivery in &log {
                store::deliveries::insert_delivery(c, delivery)?;
            }
            Ok(())
        })
        .await?;
    Ok(delivered)
}

/// The user's push devices (the ones `device_id` narrows to, if given).
pub(super) async fn devices(
    state: &AppState,
    user_id: &str,
    device_id: Option<&str>,
) -> Result<Vec<PushDevice>, FlowError> {
    let id = user_id.to_owned();
    let all = state
        .store
        .run(move |c| store::push_devices::list_user_devices(c, &id))
        .await?;
    Ok(all
        .into_iter()
        .filter(|d| device_id.is_none_or(|want| d.id == want))
        .collect())
}
