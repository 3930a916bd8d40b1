//! A static mirror read over HTTP(S) (`hyoka verify --mirror URL`): each file the check asks for is
//! fetched with ureq (rustls, the Mozilla roots), at most the size a file of its kind can have, within
//! a time limit, and checked exactly as a directory's (`hyoka::evidence::mirror::verify`). A 404 is a
//! missing file; any other failure stops the check, naming the URL.

use std::time::Duration;

use hyoka::error::{Error, IntegrityError, Result};
use hyoka::evidence::mirror::Source;

use super::i18n::t;

/// The time one file may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A mirror at an `http://` or `https://` URL.
pub struct Http {
    base: String,
    agent: ureq::Agent,
}

/// Whether `target` names a mirror on the web rather than a directory.
pub fn is_url(target: &str) -> bool {
    let lower = target.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

impl Http {
    /// The mirror at `base` (its directory's URL; a final `/` is optional).
    pub fn new(base: &str) -> Http {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .max_redirects(5)
            .build()
            .into();
        Http {
            base: base.trim_end_matches('/').to_string(),
            agent,
        }
    }

    fn fail(&self, url: &str, why: impl std::fmt::Display) -> Error {
        Error::Io {
            context: hyoka::error::IoDoing::Said(t!("fetch-cannot", url = url)),
            source: std::io::Error::other(why.to_string()),
        }
    }
}

impl Source for Http {
    fn get(&self, rel: &str, max: u64) -> Result<Option<Vec<u8>>> {
        let url = format!("{}/{rel}", self.base);
        let mut resp = match self.agent.get(&url).call() {
            Ok(r) => r,
            Err(e) => return Err(self.fail(&url, e)),
        };
        match resp.status().as_u16() {
            200 => {}
            404 | 410 => return Ok(None),
            code => return Err(self.fail(&url, t!("fetch-status", code = code))),
        }
        match resp.body_mut().with_config().limit(max).read_to_vec() {
            Ok(bytes) => Ok(Some(bytes)),
            Err(ureq::Error::BodyExceedsLimit(_)) => Err(IntegrityError::MirrorBundleDamaged {
                path: rel.to_string(),
                why: hyoka::error::BundleDamage::TooBig(max),
            }
            .into()),
            Err(e) => Err(self.fail(&url, e)),
        }
    }
}
