//! TOTP (RFC 6238) on top of HOTP (RFC 4226): codes, the verification window with replay
//! protection, provisioning URIs, and clock-drift diagnosis.
//!
//! Each enrolled authenticator keeps its own [`TotpParams`], so a later change of the defaults
//! never breaks an authenticator that is already in use.

use std::fmt;
use std::str::FromStr;

use totp_rs::{Algorithm, Builder, Secret};

/// The HMAC behind the codes (RFC 6238 §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpAlgorithm {
    Sha1,
    Sha256,
    Sha512,
}

impl TotpAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            TotpAlgorithm::Sha1 => "SHA1",
            TotpAlgorithm::Sha256 => "SHA256",
            TotpAlgorithm::Sha512 => "SHA512",
        }
    }

    fn to_totp_rs(self) -> Algorithm {
        match self {
            TotpAlgorithm::Sha1 => Algorithm::SHA1,
            TotpAlgorithm::Sha256 => Algorithm::SHA256,
            TotpAlgorithm::Sha512 => Algorithm::SHA512,
        }
    }
}

impl fmt::Display for TotpAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TotpAlgorithm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().replace('-', "").as_str() {
            "SHA1" => Ok(TotpAlgorithm::Sha1),
            "SHA256" => Ok(TotpAlgorithm::Sha256),
            "SHA512" => Ok(TotpAlgorithm::Sha512),
            _ => Err(format!(
                "unknown TOTP algorithm {s:?} (SHA1, SHA256 or SHA512)"
            )),
        }
    }
}

/// How an authenticator computes its codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotpParams {
    pub algorithm: TotpAlgorithm,
    /// 6 or 8.
    pub digits: u8,
    /// Seconds per step: 30 or 60.
    pub period: u64,
}

impl Default for TotpParams {
    /// API.md §6: SHA1, 6 digits, 30 s — what every authenticator app supports.
    fn default() -> Self {
        TotpParams {
            algorithm: TotpAlgorithm::Sha1,
            digits: 6,
            period: 30,
        }
    }
}

impl TotpParams {
    pub fn validate(&self) -> Result<(), String> {
        if !matches!(self.digits, 6 | 8) {
            return Err("TOTP codes have 6 or 8 digits".into());
        }
        if !matches!(self.period, 30 | 60) {
            return Err("the TOTP period is 30 or 60 seconds".into());
        }
        Ok(())
    }

    /// The time step that `unix_time` falls in (RFC 6238 §4.2, T0 = 0).
    pub fn step_at(&self, unix_time: i64) -> i64 {
        unix_time.max(0) / self.period as i64
    }
}

/// The code for time step `step`.
pub fn code_at_step(secret: &[u8], params: TotpParams, step: i64) -> String {
    // build_noncompliant: the RFC test secrets and legacy imports may be shorter than the 128
    // bits totp-rs insists on; our own secrets are 160 bits.
    let totp = Builder::new()
        .with_algorithm(params.algorithm.to_totp_rs())
        .with_digits(params.digits)
        .with_step_duration(params.period)
        .with_secret(secret.to_vec())
        .build_noncompliant();
    totp.generate(step.max(0) as u64 * params.period)
        .to_string()
}

/// A successful check: which step matched and how far from the server's current step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotpMatch {
    pub step: i64,
    /// Positive when the authenticator's clock runs ahead of ours.
    pub offset: i64,
}

/// Checks `code` at `now` within ±`window` steps. Steps at or before `last_used_step` are never
/// accepted, so a code (or an older one) works once (RFC 6238 §5.2).
pub fn verify(
    secret: &[u8],
    params: TotpParams,
    code: &str,
    now: i64,
    window: i64,
    last_used_step: Option<i64>,
) -> Option<TotpMatch> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != params.digits as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = params.step_at(now);
    let mut found = None;
    // Every candidate is computed and compared, so timing does not tell which offset matched.
    for offset in -window..=window {
        let step = current + offset;
        let fresh = last_used_step.is_none_or(|last| step > last);
        let matches =
            crate::domain::ids::constant_time_eq(&code_at_step(secret, params, step), &code);
        if fresh && matches && found.is_none() {
            found = Some(TotpMatch { step, offset });
        }
    }
    found
}

/// Base32 (RFC 4648, no padding) for manual entry.
pub fn secret_base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

/// The base32 secret in groups of four, easier to type.
pub fn grouped(base32: &str) -> String {
    base32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=…&digits=…&period=…`
/// (the Key Uri Format that authenticator apps scan).
pub fn provisioning_uri(secret: &[u8], params: TotpParams, issuer: &str, account: &str) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm={}&digits={}&period={}",
        percent_encode(issuer),
        percent_encode(account),
        secret_base32(secret),
        percent_encode(issuer),
        params.algorithm,
        params.digits,
        params.period
    )
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How many recent successful offsets are kept per authenticator.
pub const DRIFT_SAMPLES: usize = 5;

/// The clock drift of an authenticator in seconds, when its recent successes (at least three)
/// all matched a step or more away from ours in the same direction. Positive = runs ahead.
pub fn drift_seconds(recent_offsets: &[i64], params: TotpParams) -> Option<i64> {
    if recent_offsets.len() < 3 {
        return None;
    }
    let all_ahead = recent_offsets.iter().all(|&o| o >= 1);
    let all_behind = recent_offsets.iter().all(|&o| o <= -1);
    if !(all_ahead || all_behind) {
        return None;
    }
    let mean = recent_offsets.iter().sum::<i64>() as f64 / recent_offsets.len() as f64;
    Some((mean * params.period as f64).round() as i64)
}

/// Appends an offset to a stored list, keeping the newest [`DRIFT_SAMPLES`].
pub fn push_offset(recent: &[i64], offset: i64) -> Vec<i64> {
    let mut v: Vec<i64> = recent.to_vec();
    v.push(offset);
    let excess = v.len().saturating_sub(DRIFT_SAMPLES);
    v.drain(..excess);
    v
}

#[cfg(test)]
#[path = "totp_tests.rs"]
mod tests;
