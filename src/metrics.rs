//! The service's Prometheus metrics (`/metrics`, text format): one [`Metrics`] per application
//! with its own registry — no global default registry, so tests run many apps in one process.
//!
//! Counters move where things happen (requests in `web::request_metrics`, sign-ins where their
//! audit event is stamped in `flows::audit`, deliveries where they are logged); gauges that
//! mirror state elsewhere (hashing slots, database pool, locks in force) are set just before a
//! scrape by [`Metrics::render`]'s caller. Depends on nothing of ours and on no framework.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

/// Request latency buckets in seconds: from a cached page to a slow hash under load.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The label of requests that matched no route (their raw paths would be unbounded).
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Every metric of one application and the registry they are in.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    sign_ins: IntCounterVec,
    deliveries: IntCounterVec,
    /// Hashing slots: requests waiting for one, slots hashing now, slots in all.
    pub hash_waiting: IntGauge,
    pub hash_in_use: IntGauge,
    pub hash_slots: IntGauge,
    /// Database pool: open connections by state (`idle`, `in_use`) and the most allowed.
    pub db_connections: IntGaugeVec,
    pub db_max_connections: IntGauge,
    /// Trips to the database (hand-offs to the blocking pool) since start.
    db_trips: IntCounter,
    /// Locks in force now, by kind (`authenticator`; `sign_in_name`: code channels and passwords
    /// locked per sign-in name).
    pub lockouts: IntGaugeVec,
}

/// A metric definition was refused by the prometheus crate (a programming error in this file).
#[derive(Debug, thiserror::Error)]
#[error("metrics: {0}")]
pub struct MetricsError(#[from] prometheus::Error);

impl Metrics {
    pub fn new() -> Result<Metrics, MetricsError> {
        let registry = Registry::new_custom(Some("gatehouse".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route pattern, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer an HTTP request, by route pattern and method",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["route", "method"],
        )?;
        let sign_ins = IntCounterVec::new(
            Opts::new(
                "sign_ins_total",
                "Sign-in steps by method (amr for a finished sign-in) and result",
            ),
            &["method", "result"],
        )?;
        let deliveries = IntCounterVec::new(
            Opts::new(
                "deliveries_total",
                "Messages handed to a channel, by channel and result (sent, failed)",
            ),
            &["channel", "result"],
        )?;
        let hash_waiting = IntGauge::new(
            "hash_pool_waiting",
            "Password checks waiting for a hashing slot",
        )?;
        let hash_in_use = IntGauge::new("hash_pool_in_use", "Hashing slots in use")?;
        let hash_slots = IntGauge::new("hash_pool_slots", "Hashing slots in all")?;
        let db_connections = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Open database connections by state (idle, in_use)",
            ),
            &["state"],
        )?;
        let db_max_connections = IntGauge::new(
            "db_pool_max_connections",
            "The most database connections the pool opens",
        )?;
        let db_trips = IntCounter::new(
            "db_trips_total",
            "Trips to the database since start, each a hand-off to the blocking pool",
        )?;
        let lockouts = IntGaugeVec::new(
            Opts::new(
                "lockouts_active",
                "Locks in force now, by kind (authenticator, sign_in_name)",
            ),
            &["kind"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(sign_ins.clone()))?;
        registry.register(Box::new(deliveries.clone()))?;
        registry.register(Box::new(hash_waiting.clone()))?;
        registry.register(Box::new(hash_in_use.clone()))?;
        registry.register(Box::new(hash_slots.clone()))?;
        registry.register(Box::new(db_connections.clone()))?;
        registry.register(Box::new(db_max_connections.clone()))?;
        registry.register(Box::new(db_trips.clone()))?;
        registry.register(Box::new(lockouts.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            sign_ins,
            deliveries,
            hash_waiting,
            hash_in_use,
            hash_slots,
            db_connections,
            db_max_connections,
            db_trips,
            lockouts,
        })
    }

    /// One answered request; `route` is the matched pattern ([`UNMATCHED_ROUTE`] for none).
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        self.requests
            .with_label_values(&[route, method, status.as_str()])
            .inc();
        self.latency
            .with_label_values(&[route, method])
            .observe(seconds);
    }

    /// One sign-in step: `method` as in the audit action (`password`, `totp`, `pwd+otp`…),
    /// `result` its outcome (`success`, `failure`).
    pub fn sign_in(&self, method: &str, result: &str) {
        self.sign_ins.with_label_values(&[method, result]).inc();
    }

    /// One message handed to `channel` (`email`, `sms`, `push`) with `result` (`sent`, `failed`).
    pub fn delivery(&self, channel: &str, result: &str) {
        self.deliveries.with_label_values(&[channel, result]).inc();
    }

    /// Brings the trip counter up to `trips`, the store's own count (it only grows).
    pub fn db_trips(&self, trips: u64) {
        self.db_trips
            .inc_by(trips.saturating_sub(self.db_trips.get()));
    }

    /// Everything in the Prometheus text format (version 0.0.4).
    pub fn render(&self) -> Result<String, MetricsError> {
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_gauges_show_in_the_text_format_with_their_labels() {
        let m = Metrics::new().unwrap();
        m.request("/token-srv/token", "POST", 400, 0.003);
        m.sign_in("pwd", "success");
        m.delivery("email", "sent");
        m.hash_slots.set(2);
        let text = m.render().unwrap();
        assert!(text.contains(
            r#"gatehouse_http_requests_total{method="POST",route="/token-srv/token",status="400"} 1"#
        ));
        assert!(text.contains(r#"gatehouse_sign_ins_total{method="pwd",result="success"} 1"#));
        assert!(text.contains(r#"gatehouse_deliveries_total{channel="email",result="sent"} 1"#));
        assert!(text.contains("gatehouse_hash_pool_slots 2"));
        assert!(text.contains("# TYPE gatehouse_http_request_duration_seconds histogram"));
    }

    #[test]
    fn two_applications_keep_separate_counts() {
        let a = Metrics::new().unwrap();
        let b = Metrics::new().unwrap();
        a.sign_in("pwd", "failure");
        assert!(a.render().unwrap().contains("gatehouse_sign_ins_total"));
        assert!(!b.render().unwrap().contains("gatehouse_sign_ins_total{"));
    }
}
