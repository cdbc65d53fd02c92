//! `pixie check [config.json] [--origin URL]`: reads a Pixie configuration,
//! asks its provider what a login from the app's origin will meet, and prints
//! one line per check (✓ works, ✗ will fail, ! works with less), each ✗ and !
//! with what to change. Exits 1 when any check fails, 2 on bad usage.
//!
//! The origin is the app's: the one in `redirect_uri`, or `--origin` when the
//! configuration leaves `redirect_uri` to the default.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pixie_core::authorize::LoginRandomness;
use pixie_core::check::{
    all_pass, check_discovery, check_probes, discovery_probe, probes, Finding, Mark, ProbeResult,
};
use pixie_core::config::ClientConfig;
use pixie_core::http::{HttpRequest, HttpResponse};

const USAGE: &str = "usage: pixie check [config.json] [--origin https://app.example]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(("check", rest)) = args.split_first().map(|(first, rest)| (first.as_str(), rest)) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let (mut path, mut origin) = ("config.json".to_owned(), None);
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--origin" => match rest.next() {
                Some(value) => origin = Some(value.trim_end_matches('/').to_owned()),
                None => {
                    eprintln!("--origin needs a value\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other if other.starts_with('-') => {
                eprintln!("unknown option {other}\n{USAGE}");
                return ExitCode::from(2);
            }
            other => path = other.to_owned(),
        }
    }
    let findings = check(&path, origin.as_deref());
    for finding in &findings {
        println!("{finding}");
    }
    let failed = findings.iter().filter(|f| f.mark == Mark::Fail).count();
    let warned = findings.iter().filter(|f| f.mark == Mark::Warn).count();
    println!("\n{} checks: {failed} failed, {warned} with a warning", findings.len());
    if all_pass(&findings) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn check(path: &str, origin: Option<&str>) -> Vec<Finding> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            return vec![failure(format!("config: cannot read {path} ({e})"), "give the path of config.json")]
        }
    };
    let origin = match origin.map(str::to_owned).or_else(|| redirect_uri_origin(&text)) {
        Some(origin) => origin,
        None => {
            return vec![failure(
                format!("config: {path} has no redirect_uri, so the app's origin is unknown"),
                "pass the origin the app is served from: --origin https://app.example",
            )]
        }
    };
    let config = match ClientConfig::parse(&text, &origin) {
        Ok(config) => config,
        Err(e) => return vec![failure(format!("config: {path} is refused"), e.to_string())],
    };
    let mut findings = vec![Finding {
        mark: Mark::Pass,
        what: format!(
            "config: client {} at {} ({}), app origin {origin}",
            config.client_id,
            config.issuer,
            config.provider.as_str()
        ),
        fix: None,
    }];
    let agent = ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(u64::from(config.request_timeout_secs)))
        .build();
    let discovery = send(&agent, &discovery_probe(&config, &origin));
    let (found, metadata) = check_discovery(&config, &origin, &discovery);
    findings.extend(found);
    let Some(metadata) = metadata else { return findings };

    let randomness = match login_randomness() {
        Ok(randomness) => randomness,
        Err(e) => {
            findings.push(failure(
                format!("no randomness for the login probe ({e})"),
                "run it where getrandom works",
            ));
            return findings;
        }
    };
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as f64).unwrap_or(0.0);
    let answers: Vec<_> = probes(&config, &metadata, randomness, now_ms)
        .into_iter()
        .map(|probe| (probe.kind, send(&agent, &probe.request)))
        .collect();
    findings.extend(check_probes(&config, &metadata, &answers));
    findings
}

fn failure(what: String, fix: impl Into<String>) -> Finding {
    Finding { mark: Mark::Fail, what, fix: Some(fix.into()) }
}

/// The origin of `redirect_uri` in the configuration's text, if it names one.
fn redirect_uri_origin(text: &str) -> Option<String> {
    let document = pixie_core::json::Json::parse_object(text).ok()?;
    let uri = document.opt_string("redirect_uri").ok()??;
    Some(pixie_core::encoding::HttpUrl::parse(&uri)?.origin())
}

fn login_randomness() -> Result<LoginRandomness, getrandom::Error> {
    let mut bytes = [0u8; 96];
    getrandom::fill(&mut bytes)?;
    let part = |i: usize| -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(&bytes[i * 32..(i + 1) * 32]);
        out
    };
    Ok(LoginRandomness { verifier: part(0), state: part(1), nonce: part(2) })
}

/// Send one probe; a 4xx or 5xx is an answer like any other.
fn send(agent: &ureq::Agent, request: &HttpRequest) -> ProbeResult {
    let mut call = agent.request(request.method, &request.url);
    for (name, value) in &request.headers {
        call = call.set(name, value);
    }
    let result = match &request.body {
        Some(body) => call.send_string(body),
        None => call.call(),
    };
    let response = match result {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(ureq::Error::Transport(e)) => return Err(e.to_string()),
    };
    let status = response.status();
    let headers: Vec<(String, String)> = response
        .headers_names()
        .into_iter()
        .filter_map(|name| response.header(&name).map(|value| (name.to_ascii_lowercase(), value.to_owned())))
        .collect();
    let content_type = response.header("content-type").map(str::to_owned);
    let body = response.into_string().map_err(|e| e.to_string())?;
    Ok(HttpResponse { status, content_type, body, headers })
}
