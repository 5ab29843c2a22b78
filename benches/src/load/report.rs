//! Results of one endpoint run, as JSON and as a Markdown table row.

use hdrhistogram::Histogram;
use serde::Serialize;

/// What one endpoint run measured.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointResult {
    /// Endpoint name.
    pub endpoint: String,
    /// Free-form label of the server configuration (e.g. "cache off").
    pub label: String,
    /// Concurrent connections.
    pub connections: usize,
    /// Measured seconds (after warm-up).
    pub seconds: f64,
    /// Responses completed in the measured window.
    pub requests: u64,
    /// Requests per second.
    pub requests_per_sec: f64,
    /// Latency percentiles and maximum, milliseconds.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Maximum.
    pub max_ms: f64,
    /// The slowest response took more than [`SPIKE_FACTOR`] times the run's p99: a stall that
    /// percentiles hide (one request in 100,000 is below p99.9).
    pub tail_spike: bool,
    /// Non-2xx responses and transport failures.
    pub errors: u64,
    /// SQL statements the server issued per request in the window (from `/metrics`).
    pub statements_per_request: Option<f64>,
    /// Response-cache hit rate in the window (from `/metrics`).
    pub cache_hit_rate: Option<f64>,
    /// With several runs: every run's requests/s, in order (this result is the median run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub run_requests_per_sec: Vec<f64>,
    /// With several runs: every run's p99, milliseconds, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub run_p99_ms: Vec<f64>,
    /// With several runs: every run's p99.9, milliseconds, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub run_p999_ms: Vec<f64>,
    /// With several runs: every run's maximum, milliseconds, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub run_max_ms: Vec<f64>,
    /// With several runs: how many of them had a tail spike (see [`EndpointResult::tail_spike`]).
    pub runs_with_tail_spike: usize,
}

/// A run whose maximum exceeds this many times its p99 is flagged as having a tail spike.
pub const SPIKE_FACTOR: f64 = 10.0;

impl EndpointResult {
    /// Percentiles from a microsecond histogram.
    #[allow(clippy::too_many_arguments)]
    pub fn from_histogram(
        endpoint: &str,
        label: &str,
        connections: usize,
        seconds: f64,
        latencies_us: &Histogram<u64>,
        errors: u64,
        statements_per_request: Option<f64>,
        cache_hit_rate: Option<f64>,
    ) -> Self {
        let ms = |us: u64| us as f64 / 1_000.0;
        let requests = latencies_us.len();
        let p99_ms = ms(latencies_us.value_at_quantile(0.99));
        let max_ms = ms(latencies_us.max());
        let tail_spike = requests > 0 && max_ms > SPIKE_FACTOR * p99_ms;
        Self {
            endpoint: endpoint.to_owned(),
            label: label.to_owned(),
            connections,
            seconds,
            requests,
            requests_per_sec: if seconds > 0.0 {
                requests as f64 / seconds
            } else {
                0.0
            },
            p50_ms: ms(latencies_us.value_at_quantile(0.50)),
            p95_ms: ms(latencies_us.value_at_quantile(0.95)),
            p99_ms,
            p999_ms: ms(latencies_us.value_at_quantile(0.999)),
            max_ms,
            tail_spike,
            errors,
            statements_per_request,
            cache_hit_rate,
            run_requests_per_sec: Vec::new(),
            run_p99_ms: Vec::new(),
            run_p999_ms: Vec::new(),
            run_max_ms: Vec::new(),
            runs_with_tail_spike: usize::from(tail_spike),
        }
    }

    /// The run with the median requests/s (the upper middle one of an even count), carrying
    /// every run's requests/s, p99, p99.9 and maximum, and how many runs had a tail spike;
    /// `None` without runs.
    pub fn median_run(runs: Vec<Self>) -> Option<Self> {
        if runs.len() == 1 {
            return runs.into_iter().next();
        }
        let per_sec: Vec<f64> = runs.iter().map(|r| r.requests_per_sec).collect();
        let p99: Vec<f64> = runs.iter().map(|r| r.p99_ms).collect();
        let p999: Vec<f64> = runs.iter().map(|r| r.p999_ms).collect();
        let max: Vec<f64> = runs.iter().map(|r| r.max_ms).collect();
        let spikes = runs.iter().filter(|r| r.tail_spike).count();
        let mut sorted = runs;
        sorted.sort_by(|a, b| a.requests_per_sec.total_cmp(&b.requests_per_sec));
        let middle = sorted.len() / 2;
        let mut median = sorted.into_iter().nth(middle)?;
        median.run_requests_per_sec = per_sec;
        median.run_p99_ms = p99;
        median.run_p999_ms = p999;
        median.run_max_ms = max;
        median.runs_with_tail_spike = spikes;
        Some(median)
    }
}

/// A Markdown table of the results.
pub fn markdown(results: &[EndpointResult]) -> String {
    let mut out = String::from(
        "| endpoint | mode | conns | req/s | p50 ms | p95 ms | p99 ms | p99.9 ms | max ms | runs with spike | errors | stmts/req | cache hit |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in results {
        let runs = r.run_max_ms.len().max(1);
        let spikes = format!("{} of {runs}", r.runs_with_tail_spike);
        let opt = |v: Option<f64>, pct: bool| match v {
            Some(v) if pct => format!("{:.1} %", v * 100.0),
            Some(v) => format!("{v:.2}"),
            None => "–".to_owned(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {} |\n",
            r.endpoint,
            r.label,
            r.connections,
            r.requests_per_sec,
            r.p50_ms,
            r.p95_ms,
            r.p99_ms,
            r.p999_ms,
            r.max_ms,
            spikes,
            r.errors,
            opt(r.statements_per_request, false),
            opt(r.cache_hit_rate, true),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_in_milliseconds() {
        let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
        for us in 1..=1_000u64 {
            h.record(us * 10).expect("in range");
        }
        let r = EndpointResult::from_histogram("x", "y", 16, 2.0, &h, 0, Some(3.0), None);
        assert_eq!(r.requests, 1_000);
        assert!((r.requests_per_sec - 500.0).abs() < 1e-9);
        assert!((r.p50_ms - 5.0).abs() < 0.01 && (r.max_ms - 10.0).abs() < 0.01);
        let table = markdown(std::slice::from_ref(&r));
        assert!(table.contains("| x | y | 16 | 500 |") && table.contains("| 3.00 | – |"));
        assert!(table.contains("| 0 of 1 |"), "{table}");
        assert!(!r.tail_spike && (r.p999_ms - 9.99).abs() < 0.01);

        let run = |per_sec: f64| EndpointResult {
            requests_per_sec: per_sec,
            p99_ms: 1_000.0 / per_sec,
            ..r.clone()
        };
        let median = EndpointResult::median_run(vec![run(300.0), run(100.0), run(200.0)])
            .expect("three runs");
        assert_eq!(median.requests_per_sec, 200.0);
        assert_eq!(median.run_requests_per_sec, vec![300.0, 100.0, 200.0]);
        assert_eq!(median.run_p99_ms.len(), 3);
        assert!(EndpointResult::median_run(Vec::new()).is_none());
    }

    #[test]
    fn a_maximum_over_ten_times_p99_is_a_tail_spike() {
        let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
        for _ in 0..10_000 {
            h.record(2_000).expect("in range");
        }
        let steady = EndpointResult::from_histogram("x", "y", 16, 1.0, &h, 0, None, None);
        h.record(548_000).expect("in range");
        let spiked = EndpointResult::from_histogram("x", "y", 16, 1.0, &h, 0, None, None);
        assert!(!steady.tail_spike && spiked.tail_spike);
        assert!((spiked.p99_ms - 2.0).abs() < 0.01 && (spiked.max_ms - 548.0).abs() < 0.5);

        let both =
            EndpointResult::median_run(vec![steady, spiked.clone(), spiked]).expect("three runs");
        assert_eq!(both.runs_with_tail_spike, 2);
        assert_eq!(both.run_max_ms.len(), 3);
        assert!(markdown(&[both]).contains("| 2 of 3 |"));
    }
}
