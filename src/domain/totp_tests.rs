use hmac::{Hmac, KeyInit, Mac};

use super::*;

// RFC 6238 Appendix B: the seeds are the ASCII string repeated to the hash's key length.
const SEED20: &[u8] = b"12345678901234567890";
const SEED32: &[u8] = b"12345678901234567890123456789012";
const SEED64: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

fn params(algorithm: TotpAlgorithm, digits: u8) -> TotpParams {
    TotpParams {
        algorithm,
        digits,
        period: 30,
    }
}

#[test]
fn all_eighteen_rfc_6238_appendix_b_vectors() {
    let vectors: [(i64, &str, TotpAlgorithm); 18] = [
        (59, "94287082", TotpAlgorithm::Sha1),
        (59, "46119246", TotpAlgorithm::Sha256),
        (59, "90693936", TotpAlgorithm::Sha512),
        (1111111109, "07081804", TotpAlgorithm::Sha1),
        (1111111109, "68084774", TotpAlgorithm::Sha256),
        (1111111109, "25091201", TotpAlgorithm::Sha512),
        (1111111111, "14050471", TotpAlgorithm::Sha1),
        (1111111111, "67062674", TotpAlgorithm::Sha256),
        (1111111111, "99943326", TotpAlgorithm::Sha512),
        (1234567890, "89005924", TotpAlgorithm::Sha1),
        (1234567890, "91819424", TotpAlgorithm::Sha256),
        (1234567890, "93441116", TotpAlgorithm::Sha512),
        (2000000000, "69279037", TotpAlgorithm::Sha1),
        (2000000000, "90698825", TotpAlgorithm::Sha256),
        (2000000000, "38618901", TotpAlgorithm::Sha512),
        (20000000000, "65353130", TotpAlgorithm::Sha1),
        (20000000000, "77737706", TotpAlgorithm::Sha256),
        (20000000000, "47863826", TotpAlgorithm::Sha512),
    ];
    for (time, expected, algorithm) in vectors {
        let seed = match algorithm {
            TotpAlgorithm::Sha1 => SEED20,
            TotpAlgorithm::Sha256 => SEED32,
            TotpAlgorithm::Sha512 => SEED64,
        };
        let p = params(algorithm, 8);
        assert_eq!(
            code_at_step(seed, p, p.step_at(time)),
            expected,
            "{algorithm} at {time}"
        );
        let matched = verify(seed, p, expected, time, 1, None).expect("vector verifies");
        assert_eq!(matched.offset, 0);
    }
}

/// HOTP written from RFC 4226 §5.3 with the hmac crate, independent of totp-rs.
fn independent_hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(secret).unwrap();
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = (hash[hash.len() - 1] & 0x0f) as usize;
    let binary = ((hash[offset] as u32 & 0x7f) << 24)
        | ((hash[offset + 1] as u32) << 16)
        | ((hash[offset + 2] as u32) << 8)
        | hash[offset + 3] as u32;
    format!(
        "{:0width$}",
        binary % 10u32.pow(digits),
        width = digits as usize
    )
}

#[test]
fn codes_match_an_independent_rfc_4226_hotp() {
    // RFC 4226 Appendix D values first, to prove the independent HOTP itself.
    let expected = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    for (counter, code) in expected.iter().enumerate() {
        assert_eq!(independent_hotp(SEED20, counter as u64, 6), *code);
    }
    let secret: Vec<u8> = (0u8..20)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    for step in [0i64, 1, 41, 56_666_666, 60_000_000] {
        assert_eq!(
            code_at_step(&secret, TotpParams::default(), step),
            independent_hotp(&secret, step as u64, 6)
        );
    }
}

#[test]
fn the_window_accepts_one_step_either_side_and_reports_the_offset() {
    let p = TotpParams::default();
    let now = 1_700_000_015;
    let current = p.step_at(now);
    for offset in [-1i64, 0, 1] {
        let code = code_at_step(SEED20, p, current + offset);
        let m = verify(SEED20, p, &code, now, 1, None).unwrap();
        assert_eq!((m.step, m.offset), (current + offset, offset));
    }
    for offset in [-2i64, 2] {
        let code = code_at_step(SEED20, p, current + offset);
        assert_eq!(verify(SEED20, p, &code, now, 1, None), None);
    }
}

#[test]
fn a_used_step_and_every_earlier_step_are_refused() {
    let p = TotpParams::default();
    let now = 1_700_000_015;
    let current = p.step_at(now);
    let code = code_at_step(SEED20, p, current);
    assert!(verify(SEED20, p, &code, now, 1, Some(current)).is_none());
    let older = code_at_step(SEED20, p, current - 1);
    assert!(verify(SEED20, p, &older, now, 1, Some(current)).is_none());
    let newer = code_at_step(SEED20, p, current + 1);
    assert!(verify(SEED20, p, &newer, now, 1, Some(current)).is_some());
}

#[test]
fn malformed_codes_never_match() {
    let p = TotpParams::default();
    for bad in ["", "12345", "1234567", "abcdef", "12345a", "１２３４５６"] {
        assert!(verify(SEED20, p, bad, 59, 1, None).is_none(), "{bad:?}");
    }
    let code = code_at_step(SEED20, p, p.step_at(59));
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    assert!(
        verify(SEED20, p, &spaced, 59, 1, None).is_some(),
        "spaces typed by people are ignored"
    );
}

#[test]
fn sixty_second_periods_and_eight_digits_work() {
    let p = TotpParams {
        algorithm: TotpAlgorithm::Sha256,
        digits: 8,
        period: 60,
    };
    let code = code_at_step(SEED32, p, p.step_at(1_700_000_000));
    assert_eq!(code.len(), 8);
    assert!(
        verify(SEED32, p, &code, 1_700_000_059, 0, None).is_some()
            || verify(SEED32, p, &code, 1_700_000_000, 0, None).is_some()
    );
    assert!(TotpParams { digits: 7, ..p }.validate().is_err());
    assert!(TotpParams { period: 45, ..p }.validate().is_err());
}

#[test]
fn provisioning_uris_follow_the_key_uri_format() {
    let uri = provisioning_uri(
        b"12345678901234567890",
        TotpParams::default(),
        "Gatehouse Demo",
        "ada@example.com",
    );
    assert_eq!(
        uri,
        "otpauth://totp/Gatehouse%20Demo:ada@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Gatehouse%20Demo&algorithm=SHA1&digits=6&period=30"
    );
    assert_eq!(grouped("GEZDGNBVGY3TQOJQ"), "GEZD GNBV GY3T QOJQ");
}

#[test]
fn drift_is_reported_only_when_consistent() {
    let p = TotpParams::default();
    assert_eq!(drift_seconds(&[1, 1, 1], p), Some(30));
    assert_eq!(drift_seconds(&[-1, -1, -2], p), Some(-40));
    assert_eq!(drift_seconds(&[1, 0, 1], p), None);
    assert_eq!(drift_seconds(&[1, 1], p), None);
    assert_eq!(push_offset(&[1, 2, 3, 4, 5], 6), vec![2, 3, 4, 5, 6]);
}
