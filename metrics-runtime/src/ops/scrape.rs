//! `prometheus.yml`: the job's scrape config, loading the two rule files beside it.

use super::value::{Value, obj, strings};
use super::{Options, prometheus_duration};

/// The config file.
pub(crate) fn scrape_config(options: &Options) -> Value {
    let interval = prometheus_duration(options.scrape_interval);
    let mut job = obj! {
        "job_name" => options.job(),
        "metrics_path" => &options.metrics_path,
        "scrape_interval" => &interval,
        "static_configs" => vec![obj! { "targets" => strings(options.targets()) }],
    };
    if let Some(auth) = &options.basic_auth {
        job.insert(
            "basic_auth",
            obj! { "username" => &auth.username, "password_file" => &auth.password_file },
        );
    }
    obj! {
        "global" => obj! {
            "scrape_interval" => &interval,
            "evaluation_interval" => &interval,
        },
        "rule_files" => strings(["recording.yml", "alerts.yml"]),
        "scrape_configs" => vec![job],
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_job_with_auth() {
        let options = Options::new("shop")
            .target("10.0.0.1:9898")
            .metrics_path("/internal/metrics")
            .scrape_interval(Duration::from_secs(30))
            .basic_auth("prometheus", "/etc/prometheus/shop.password");
        let text = crate::ops::yaml::to_string(&scrape_config(&options));
        assert_eq!(
            text,
            "global:
  scrape_interval: 30s
  evaluation_interval: 30s
rule_files:
  - recording.yml
  - alerts.yml
scrape_configs:
  - job_name: shop
    metrics_path: /internal/metrics
    scrape_interval: 30s
    static_configs:
      - targets:
          - '10.0.0.1:9898'
    basic_auth:
      username: prometheus
      password_file: /etc/prometheus/shop.password
"
        );
    }
}
