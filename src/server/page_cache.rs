//! A derived cache of the public pages' bytes (`GET /rounds/{POINT}`, its corrections, the table's
//! JSON): each page is rendered once per version of what it is made from, and served from memory
//! until that version moves.
//!
//! What a public page is made from: the events up to the ledger's head, and the kept signed
//! checkpoint (`CHECKPOINT`, which bounds the corrections shown and is printed on the page). Its
//! version is therefore [`Head`]: the number of events, the head's hash, and the BLAKE3 of the
//! checkpoint file's bytes, read afresh for every request (one lock of the ledger, one small read).
//! A request whose head equals the cached page's gets the cached bytes; any other renders the page
//! again with the same function as an uncached server (the miss path *is* the render), and replaces
//! it. Nothing here is truth: dropping the cache changes no answer, only its time.
//!
//! Bounded: at most [`MAX_PAGES`] pages and [`MAX_BYTES`] bytes (the least recently used go first; a
//! page larger than the whole budget is served but not kept); only pages rendered without error are
//! kept. Renders of one page are serialised, so a head that moves under load renders each page once,
//! not once per waiting client.
//!
//! HTTP: each page carries a strong `ETag` (BLAKE3 of its bytes) and `Cache-Control: no-cache` (a
//! browser keeps it but asks again, since a correction or a new checkpoint changes it);
//! [`conditional`] answers `304 Not Modified` to an `If-None-Match` that names the current `ETag`.
//! Compiled-in assets ([`asset`]) carry an `ETag` and may be kept an hour.
//!
//! Compression: a page of at least [`GZIP_MIN`] bytes is also kept gzip-compressed (once, when it is
//! rendered; fixed header, so the same page gives the same bytes) when that saves a tenth or more.
//! [`conditional`] sends that variant, with `Content-Encoding: gzip` and its own `ETag`, to a request
//! whose `Accept-Encoding` takes gzip; every page that has one says `Vary: Accept-Encoding`. Both
//! variants count against the cache's bytes.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::app::{App, Refusal, blocking};
use crate::domain::event::Hash;
use crate::ledger::anchor::{CHECKPOINT_FILE, MAX_CHECKPOINT_BYTES};

/// At most this many pages are kept.
pub const MAX_PAGES: usize = 256;
/// At most this many bytes of pages are kept.
pub const MAX_BYTES: usize = 64 << 20;
/// Pages smaller than this are not compressed.
pub const GZIP_MIN: usize = 1024;

/// `Cache-Control` of the pages made from the ledger: kept, but checked again before each use.
pub const PAGE_CACHE_CONTROL: &str = "no-cache";
/// `Cache-Control` of the compiled-in assets (they change only with the program).
pub const ASSET_CACHE_CONTROL: &str = "public, max-age=3600";

/// `Content-Type` of the HTML pages.
pub const HTML: &str = "text/html; charset=utf-8";
/// `Content-Type` of the JSON views.
pub const JSON: &str = "application/json";

/// Which page: its kind (`"round"`, `"corrections"`, …) and the point as the request spelled it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// The kind of page.
    pub page: &'static str,
    /// The point, as in the request's path.
    pub point: String,
}

/// The version of what the public pages are made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// The ledger's number of events.
    pub events: u64,
    /// The hash of its last event.
    pub hash: Hash,
    /// BLAKE3 of the kept checkpoint file's bytes (`None`: there is none).
    pub checkpoint: Option<[u8; 32]>,
}

/// A rendered page: its bytes, their `ETag`, and its `Content-Type`.
#[derive(Debug, Clone)]
pub struct Page {
    /// The body.
    pub body: Bytes,
    /// The strong entity tag: the first 128 bits of BLAKE3 of the body, in hex, quoted.
    pub etag: HeaderValue,
    /// The content type.
    pub content_type: &'static str,
    /// The body gzip-compressed, when that is worth it.
    pub gzip: Option<Gzip>,
}

/// A page's gzip-compressed variant: its bytes and its own `ETag` (the page's, with `-gz`).
#[derive(Debug, Clone)]
pub struct Gzip {
    /// The compressed body.
    pub body: Bytes,
    /// Its entity tag.
    pub etag: HeaderValue,
}

/// `body` gzip-compressed (mtime 0, so the same body gives the same bytes), when it is at least
/// [`GZIP_MIN`] bytes and compression saves a tenth or more.
fn gzip(body: &[u8]) -> Option<Bytes> {
    if body.len() < GZIP_MIN {
        return None;
    }
    let mut e = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::default(),
    );
    e.write_all(body).ok()?;
    let out = e.finish().ok()?;
    (out.len() <= body.len() / 10 * 9).then(|| Bytes::from(out))
}

impl Page {
    /// A page of `body`, served as `content_type`.
    pub fn new(body: impl Into<Bytes>, content_type: &'static str) -> Page {
        let body = body.into();
        let tag = blake3::hash(&body);
        let hex = hex::encode(&tag.as_bytes()[..16]);
        // invariant: a quoted hex string is a valid header value.
        let value =
            |t: String| HeaderValue::from_str(&t).unwrap_or(HeaderValue::from_static("\"\""));
        let gzip = gzip(&body).map(|b| Gzip {
            body: b,
            etag: value(format!("\"{hex}-gz\"")),
        });
        Page {
            body,
            etag: value(format!("\"{hex}\"")),
            content_type,
            gzip,
        }
    }

    /// The bytes it keeps: its body and its compressed variant.
    pub fn weight(&self) -> usize {
        self.body.len() + self.gzip.as_ref().map_or(0, |g| g.body.len())
    }

    /// The page as a 200 response (the body is shared, not copied).
    pub fn response(&self, cache_control: &'static str) -> Response {
        let mut res = Response::new(Body::from(self.body.clone()));
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        h.insert(header::ETAG, self.etag.clone());
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        );
        if let Some(g) = &self.gzip {
            h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            res.extensions_mut().insert(g.clone());
        }
        res
    }
}

struct Slot {
    /// The page and the head it was asked for at.
    page: Option<(Head, Arc<Page>)>,
    /// When it was last used (the cache's tick).
    used: u64,
    /// Held while the page is rendered.
    render: Arc<Mutex<()>>,
}

#[derive(Default)]
struct Slots {
    map: HashMap<Key, Slot>,
    tick: u64,
    bytes: usize,
}

impl Slots {
    fn size(s: &Slot) -> usize {
        s.page.as_ref().map_or(0, |(_, p)| p.weight())
    }

    /// Drops the least recently used slots other than `keep` until at most `pages` slots and
    /// `bytes` bytes are left.
    fn evict(&mut self, keep: &Key, pages: usize, bytes: usize) {
        while self.map.len() > pages || self.bytes > bytes {
            let victim = self
                .map
                .iter()
                .filter(|(k, _)| *k != keep)
                .min_by_key(|(_, s)| s.used)
                .map(|(k, _)| k.clone());
            let Some(k) = victim else { break };
            if let Some(s) = self.map.remove(&k) {
                self.bytes -= Self::size(&s);
            }
        }
    }
}

/// The cache (see the module documentation).
pub struct PageCache {
    slots: Mutex<Slots>,
    max_pages: usize,
    max_bytes: usize,
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache::new(MAX_PAGES, MAX_BYTES)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A render that panicked leaves the slots as they were before it: still consistent.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl PageCache {
    /// A cache of at most `max_pages` pages and `max_bytes` bytes (`0` pages: nothing is kept, every
    /// request renders).
    pub fn new(max_pages: usize, max_bytes: usize) -> PageCache {
        PageCache {
            slots: Mutex::new(Slots::default()),
            max_pages,
            max_bytes,
        }
    }

    /// The number of pages kept and their bytes.
    pub fn usage(&self) -> (usize, usize) {
        let s = lock(&self.slots);
        let pages = s.map.values().filter(|s| s.page.is_some()).count();
        (pages, s.bytes)
    }

    /// The page `key` at `head`: the kept one if it was rendered at `head`, else `render()`'s, kept
    /// when it succeeds. Renders of one key run one at a time.
    pub fn get_or_render<E>(
        &self,
        key: &Key,
        head: &Head,
        render: impl FnOnce() -> Result<Page, E>,
    ) -> Result<Arc<Page>, E> {
        if self.max_pages == 0 {
            return render().map(Arc::new);
        }
        let gate = {
            let mut s = lock(&self.slots);
            s.tick += 1;
            let tick = s.tick;
            if let Some(slot) = s.map.get_mut(key) {
                slot.used = tick;
                if let Some((h, p)) = &slot.page
                    && h == head
                {
                    return Ok(Arc::clone(p));
                }
                Arc::clone(&slot.render)
            } else {
                let gate = Arc::new(Mutex::new(()));
                s.map.insert(
                    key.clone(),
                    Slot {
                        page: None,
                        used: tick,
                        render: Arc::clone(&gate),
                    },
                );
                let (pages, bytes) = (self.max_pages, self.max_bytes);
                s.evict(key, pages, bytes);
                gate
            }
        };
        let _rendering = lock(&gate);
        // Another request may have rendered it while this one waited.
        if let Some(Some((h, p))) = lock(&self.slots).map.get(key).map(|s| &s.page)
            && h == head
        {
            return Ok(Arc::clone(p));
        }
        let page = match render() {
            Ok(p) => Arc::new(p),
            Err(e) => {
                // A failed render leaves no slot behind: requests for pages that do not exist (an
                // unknown item, a point never published) must not push out the pages that do.
                let mut s = lock(&self.slots);
                if s.map.get(key).is_some_and(|slot| slot.page.is_none()) {
                    s.map.remove(key);
                }
                return Err(e);
            }
        };
        if page.weight() <= self.max_bytes {
            let mut s = lock(&self.slots);
            s.tick += 1;
            let tick = s.tick;
            let old = s
                .map
                .insert(
                    key.clone(),
                    Slot {
                        page: Some((*head, Arc::clone(&page))),
                        used: tick,
                        render: Arc::clone(&gate),
                    },
                )
                .map_or(0, |o| Slots::size(&o));
            s.bytes = s.bytes - old + page.weight();
            let (pages, bytes) = (self.max_pages, self.max_bytes);
            s.evict(key, pages, bytes);
        }
        Ok(page)
    }
}

/// The version the public pages of `app`'s ledger are at now.
pub fn head(app: &App) -> Result<Head, Refusal> {
    let (events, hash, dir) = app
        .ledger
        .read(|l| (l.len(), l.head_hash(), l.dir().to_path_buf()))
        .map_err(|e| Refusal::from_error(&e))?;
    let path = dir.join(CHECKPOINT_FILE);
    // A checkpoint too big or unreadable is left to the render, which reports it.
    let checkpoint = match crate::os::safe_fs::read_bounded(&path, MAX_CHECKPOINT_BYTES as u64) {
        Ok(Some(b)) => Some(*blake3::hash(&b).as_bytes()),
        Ok(None) => None,
        Err(_) => Some([0xff; 32]),
    };
    Ok(Head {
        events,
        hash,
        checkpoint,
    })
}

/// Serves the public page `page` of `point` from `app`'s cache, rendering it with `render` (on a
/// blocking thread, as every ledger read) when the ledger or its checkpoint moved since.
pub async fn serve<E: From<Refusal> + Send + 'static>(
    app: Arc<App>,
    page: &'static str,
    point: String,
    content_type: &'static str,
    render: impl FnOnce(&App, &str) -> Result<String, E> + Send + 'static,
) -> Result<Response, E> {
    let p = blocking(move || {
        let key = Key { page, point };
        let head = head(&app)?;
        Ok(app.pages.get_or_render(&key, &head, || {
            render(&app, &key.point).map(|b| Page::new(b, content_type))
        }))
    })
    .await
    .map_err(E::from)??;
    Ok(p.response(PAGE_CACHE_CONTROL))
}

/// A compiled-in asset (`text`, served as `content_type`) with its `ETag`, kept an hour by browsers.
pub fn asset(
    cell: &'static OnceLock<Page>,
    text: &'static str,
    content_type: &'static str,
) -> Response {
    cell.get_or_init(|| Page::new(Bytes::from_static(text.as_bytes()), content_type))
        .response(ASSET_CACHE_CONTROL)
}

/// Whether `if_none_match` (a request's `If-None-Match`) names `etag` (weak comparison, RFC 9110
/// 13.1.2).
pub fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let etag = bare(etag);
    if_none_match
        .split(',')
        .any(|t| t.trim() == "*" || bare(t) == etag)
}

/// Whether a request's `Accept-Encoding` takes gzip (RFC 9110 12.5.3): `gzip` named with a
/// non-zero weight, or else `*` with one; `gzip;q=0` refuses it whatever `*` says.
pub fn accepts_gzip(headers: &axum::http::HeaderMap) -> bool {
    let mut star = None;
    for v in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(v) = v.to_str() else { continue };
        for coding in v.split(',') {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
                .next()
                .map_or(1.0, |q| q.trim().parse::<f32>().unwrap_or(0.0));
            if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
                return q > 0.0;
            }
            if name == "*" {
                star = Some(q > 0.0);
            }
        }
    }
    star.unwrap_or(false)
}

/// Middleware: a page with a gzip variant ([`Page::response`]) is sent compressed to a request that
/// takes gzip; then a `GET` or `HEAD` whose `If-None-Match` names the `ETag` of its 200 answer (of
/// the variant sent) gets `304 Not Modified` with that `ETag`, `Cache-Control` and `Vary`, and no
/// body.
pub async fn conditional(req: Request, next: Next) -> Response {
    let takes_gzip = accepts_gzip(req.headers());
    let inm = match *req.method() {
        Method::GET | Method::HEAD => req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        _ => None,
    };
    let mut res = next.run(req).await;
    if let Some(g) = res.extensions_mut().remove::<Gzip>()
        && takes_gzip
        && res.status() == StatusCode::OK
    {
        let (mut parts, _) = res.into_parts();
        parts
            .headers
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        parts.headers.insert(header::ETAG, g.etag);
        parts.headers.remove(header::CONTENT_LENGTH);
        res = Response::from_parts(parts, Body::from(g.body));
    }
    let Some(inm) = inm else { return res };
    let etag = match res
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
    {
        Some(e) if res.status() == StatusCode::OK && etag_matches(&inm, e) => e.to_string(),
        _ => return res,
    };
    let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
    let h = not_modified.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    for name in [header::CACHE_CONTROL, header::VARY] {
        if let Some(v) = res.headers().get(&name) {
            h.insert(name, v.clone());
        }
    }
    not_modified
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::domain::event::Change;
    use crate::domain::item_id::ItemId;
    use crate::domain::people::{Person, Role, Stage, Verdict};
    use crate::domain::period::Period;
    use crate::ledger::shared::SharedLedger;
    use crate::ledger::signing::Signer;
    use crate::ledger::{Access, Ledger, Meta};
    use crate::tlog::note::SignerKey;

    fn key(page: &'static str) -> Key {
        Key {
            page,
            point: "FY2020-YE".into(),
        }
    }

    fn head(events: u64, cp: u8) -> Head {
        Head {
            events,
            hash: [events as u8; 32],
            checkpoint: Some([cp; 32]),
        }
    }

    /// Renders `text`, counting the renders in `n`.
    fn render<'a>(n: &'a Cell<u32>, text: &'a str) -> impl FnOnce() -> Result<Page, ()> + 'a {
        move || {
            n.set(n.get() + 1);
            Ok(Page::new(text.to_string(), HTML))
        }
    }

    #[test]
    fn a_page_is_rendered_once_per_head_and_checkpoint() {
        let c = PageCache::default();
        let n = Cell::new(0);
        let a = c
            .get_or_render(&key("round"), &head(5, 1), render(&n, "a"))
            .unwrap();
        let b = c
            .get_or_render(&key("round"), &head(5, 1), render(&n, "b"))
            .unwrap();
        assert_eq!(
            (n.get(), &a.body[..], &b.body[..]),
            (1, &b"a"[..], &b"a"[..])
        );
        assert_eq!(a.etag, b.etag);
        // Another page of the same point is its own.
        let other = c.get_or_render(&key("corrections"), &head(5, 1), render(&n, "c"));
        assert_eq!((n.get(), &other.unwrap().body[..]), (2, &b"c"[..]));
        // The head moves: rendered again, and kept at the new head.
        let moved = c
            .get_or_render(&key("round"), &head(6, 1), render(&n, "d"))
            .unwrap();
        assert_eq!((n.get(), &moved.body[..]), (3, &b"d"[..]));
        assert_ne!(moved.etag, a.etag);
        // Only the checkpoint moves: rendered again.
        let signed = c
            .get_or_render(&key("round"), &head(6, 2), render(&n, "e"))
            .unwrap();
        assert_eq!((n.get(), &signed.body[..]), (4, &b"e"[..]));
        assert_eq!(c.usage(), (2, 2));
    }

    #[test]
    fn a_failed_render_is_not_kept() {
        let c = PageCache::default();
        let n = Cell::new(0);
        let failed: Result<_, &str> = c.get_or_render(&key("round"), &head(1, 1), || {
            n.set(n.get() + 1);
            Err("not published")
        });
        assert_eq!(failed.map(|_| ()), Err("not published"));
        assert_eq!(c.usage(), (0, 0));
        assert!(lock(&c.slots).map.is_empty(), "no empty slot left behind");
        let ok = c
            .get_or_render(&key("round"), &head(1, 1), render(&n, "x"))
            .unwrap();
        assert_eq!((n.get(), &ok.body[..]), (2, &b"x"[..]));
    }

    #[test]
    fn requests_for_pages_that_do_not_exist_never_push_out_those_that_do() {
        let c = PageCache::new(2, 1 << 20);
        let n = Cell::new(0);
        c.get_or_render(&key("round"), &head(1, 1), render(&n, "x"))
            .unwrap();
        for i in 0..10 {
            let k = Key {
                page: "item",
                point: format!("no-such-item-{i}"),
            };
            let r: Result<Arc<Page>, &str> = c.get_or_render(&k, &head(1, 1), || Err("none"));
            assert!(r.is_err());
        }
        let again = c
            .get_or_render(&key("round"), &head(1, 1), render(&n, "y"))
            .unwrap();
        assert_eq!((n.get(), &again.body[..]), (1, &b"x"[..]), "still kept");
    }

    #[test]
    fn the_cache_keeps_at_most_its_pages_and_bytes_dropping_the_least_recently_used() {
        let c = PageCache::new(2, 10);
        let n = Cell::new(0);
        let h = head(1, 1);
        let k = |p: &str| Key {
            page: "round",
            point: p.to_string(),
        };
        c.get_or_render(&k("a"), &h, render(&n, "1111")).unwrap();
        c.get_or_render(&k("b"), &h, render(&n, "2222")).unwrap();
        // `a` used again: `b` is now the least recently used, and goes when `c` comes.
        c.get_or_render(&k("a"), &h, render(&n, "x")).unwrap();
        c.get_or_render(&k("c"), &h, render(&n, "3333")).unwrap();
        assert_eq!((n.get(), c.usage()), (3, (2, 8)));
        c.get_or_render(&k("a"), &h, render(&n, "x")).unwrap();
        assert_eq!(n.get(), 3, "a was kept");
        c.get_or_render(&k("b"), &h, render(&n, "2222")).unwrap();
        assert_eq!(n.get(), 4, "b was dropped");
        // Bytes: a 7-byte page leaves room for nothing else within 10 bytes.
        c.get_or_render(&k("d"), &h, render(&n, "7777777")).unwrap();
        assert_eq!(c.usage(), (1, 7));
        // A page bigger than the whole budget is served, not kept.
        let big = c
            .get_or_render(&k("e"), &h, render(&n, "much too long"))
            .unwrap();
        assert_eq!(&big.body[..], b"much too long");
        assert!(c.usage().1 <= 10);
        // No room at all: every request renders.
        let none = PageCache::new(0, 0);
        none.get_or_render(&k("a"), &h, render(&n, "1")).unwrap();
        none.get_or_render(&k("a"), &h, render(&n, "1")).unwrap();
        assert_eq!((n.get(), none.usage()), (8, (0, 0)));
    }

    #[test]
    fn if_none_match_is_compared_weakly_and_star_matches_anything() {
        assert!(etag_matches("\"abc\"", "\"abc\""));
        assert!(etag_matches("\"x\", W/\"abc\"", "\"abc\""));
        assert!(etag_matches("*", "\"abc\""));
        assert!(!etag_matches("\"abd\"", "\"abc\""));
        assert!(!etag_matches("", "\"abc\""));
    }

    // -------------------------------------------------------------------------------------------
    // The server's pages over a published round.

    const ORIGIN: &str = "city.example/page-cache";
    const DEPT: &str = "財政課";

    struct Published {
        _tmp: tempfile::TempDir,
        shared: Arc<SharedLedger>,
        log: SignerKey,
        hq: SignerKey,
        point: Period,
    }

    fn k(name: &str, n: u8) -> SignerKey {
        SignerKey::from_seed(name, &[n; 32]).unwrap()
    }

    /// A round of 令和2年度末 over three items, published, its checkpoint signed.
    fn published() -> Published {
        let (admin, staff, head, hq, log) = (
            k("admin", 1),
            k("staff", 2),
            k("head", 3),
            k("hq", 4),
            k(ORIGIN, 5),
        );
        let person = |id: &str, dept: &str, role: Role, key: &SignerKey| Person {
            id: id.into(),
            name_commitment: [0; 32],
            department: dept.into(),
            roles: vec![role],
            vkey: key.verifier().to_text(),
        };
        let meta = |id: &str, key: &SignerKey| Meta {
            author: id.into(),
            reason: "テスト".into(),
            source: None,
            recorded_at: 1_600_000_000_000_000_000,
            new_point: false,
            signer: Some(Signer::new(key.clone())),
        };
        let point = Period::parse("令和2年度末", None).unwrap();
        let items: Vec<ItemId> = vec![1.into(), 2.into(), 3.into()];
        let mut more = vec![Change::CategoryAdded {
            name: "財政の健全化".into(),
        }];
        for (id, title) in items.iter().zip(["補助金", "使用料", "公共施設"]) {
            more.push(Change::ItemRegistered {
                id: id.clone(),
                title: title.into(),
                department: DEPT.into(),
                category: "財政の健全化".into(),
                relisting_of: None,
                from: None,
                after: None,
            });
        }
        more.push(Change::PeopleEnabled {
            log_vkey: log.verifier().to_text(),
            admin: person("admin", "行政経営課", Role::Admin, &admin),
        });
        let plan = Change::PlanDefined {
            name: "行財政改革".into(),
            grades: vec!["S".into(), "A".into(), "B".into()],
            default_era: Some(crate::domain::period::Era::Reiwa),
            origin: ORIGIN.into(),
            cadence: Default::default(),
            years: None,
        };
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("l");
        let mut l =
            Ledger::create(&dir, &meta("admin", &admin), plan, &more, Access::default()).unwrap();
        l.set_log_key(&log).unwrap();
        l.append(
            &meta("admin", &admin),
            &[
                Change::PersonRegistered {
                    person: person("staff", DEPT, Role::Staff, &staff),
                },
                Change::PersonRegistered {
                    person: person("head", DEPT, Role::Head, &head),
                },
                Change::PersonRegistered {
                    person: person("hq", "行革推進室", Role::Hq, &hq),
                },
                Change::RoundOpened {
                    period: point,
                    due: "2021-04-30".into(),
                },
            ],
        )
        .unwrap();
        let mut rated: Vec<Change> = items
            .iter()
            .zip(["A", "B", "A"])
            .map(|(i, g)| Change::RatingRecorded {
                item: i.clone(),
                period: point,
                grade: g.into(),
            })
            .collect();
        rated.push(Change::Submitted {
            period: point,
            department: DEPT.into(),
        });
        l.append(&meta("staff", &staff), &rated).unwrap();
        for (id, key, stage) in [("head", &head, Stage::First), ("hq", &hq, Stage::Second)] {
            let reviews: Vec<Change> = items
                .iter()
                .map(|i| Change::Reviewed {
                    period: point,
                    item: i.clone(),
                    stage,
                    verdict: Verdict::Approve,
                })
                .collect();
            l.append(&meta(id, key), &reviews).unwrap();
        }
        let digest = l.current().unwrap().published_table_sha256(point);
        l.append(
            &meta("admin", &admin),
            &[
                Change::RoundClosed { period: point },
                Change::RoundPublished {
                    period: point,
                    table_sha256: digest,
                },
            ],
        )
        .unwrap();
        crate::evidence::transparency::sign(&l, &log, 1, &mut |_, _| {}).unwrap();
        let shared = Arc::new(SharedLedger::new(l, || 1_700_000_000_000_000_000).unwrap());
        Published {
            _tmp: tmp,
            shared,
            log,
            hq,
            point,
        }
    }

    fn app(p: &Published) -> Arc<App> {
        let dir = p.shared.read(|l| l.dir().to_path_buf()).unwrap();
        crate::server::app(
            Arc::clone(&p.shared),
            crate::server::webdir::WebDir::beside(&dir),
            false,
            Arc::new(|| 1_700_000_000_000_000_000),
        )
    }

    /// A server of `app` on 127.0.0.1, while `f` runs with its URL.
    fn with_server(app: Arc<App>, f: impl FnOnce(&str)) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = rt.spawn(crate::server::serve(listener, app, async {
            let _ = stopped.await;
        }));
        f(&url);
        let _ = stop.send(());
        rt.block_on(server).unwrap().unwrap();
    }

    struct Got {
        status: u16,
        etag: String,
        cache_control: String,
        body: String,
    }

    fn get(url: &str, if_none_match: Option<&str>) -> Got {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut req = agent.get(url);
        if let Some(t) = if_none_match {
            req = req.header("If-None-Match", t);
        }
        let mut res = req.call().unwrap();
        let header = |n: &str| {
            res.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let (etag, cache_control) = (header("etag"), header("cache-control"));
        Got {
            status: res.status().as_u16(),
            etag,
            cache_control,
            body: res.body_mut().read_to_string().unwrap(),
        }
    }

    /// 行革本部 corrects item `item` of the published point to `grade`, after the publication.
    fn correct(p: &Published, item: u32, grade: &str) {
        p.shared
            .append_signed(
                "hq",
                "誤記の訂正",
                Some(Signer::new(p.hq.clone())),
                &[Change::RatingRecorded {
                    item: item.into(),
                    period: p.point,
                    grade: grade.into(),
                }],
            )
            .unwrap();
    }

    /// Each public page of `p` from a server with an empty cache over the same ledger.
    fn fresh(p: &Published, path: &str) -> String {
        let mut body = String::new();
        with_server(app(p), |url| body = get(&format!("{url}{path}"), None).body);
        body
    }

    #[test]
    fn a_correction_changes_the_pages_at_once_and_cached_bytes_equal_a_fresh_render() {
        let p = published();
        let point = p.point.id();
        let paths = [
            format!("/rounds/{point}"),
            format!("/rounds/{point}/corrections"),
            format!("/api/rounds/{point}/table"),
            "/items/2".to_string(),
        ];
        let served = app(&p);
        let mut before = Vec::new();
        with_server(Arc::clone(&served), |url| {
            for path in &paths {
                let first = get(&format!("{url}{path}"), None);
                let again = get(&format!("{url}{path}"), None);
                assert_eq!(first.status, 200, "{path}: {}", first.body);
                assert_eq!((&again.body, &again.etag), (&first.body, &first.etag));
                assert_eq!(first.cache_control, PAGE_CACHE_CONTROL);
                // The browser's copy is still good: 304, no body.
                let cond = get(&format!("{url}{path}"), Some(&first.etag));
                assert_eq!((cond.status, cond.body.as_str()), (304, ""), "{path}");
                assert_eq!(cond.etag, first.etag);
                let stale = get(&format!("{url}{path}"), Some("\"0000\""));
                assert_eq!(stale.status, 200);
                before.push(first);
            }
        });
        assert_eq!(served.pages.usage().0, 4);
        // An item's page is kept under its id's canonical form: the full-width ２ is item 2's page.
        with_server(Arc::clone(&served), |url| {
            let full = get(&format!("{url}/items/%EF%BC%92"), None);
            assert_eq!((&full.body, &full.etag), (&before[3].body, &before[3].etag));
        });
        assert_eq!(served.pages.usage().0, 4);
        for (path, got) in paths.iter().zip(&before) {
            assert_eq!(
                got.body,
                fresh(&p, path),
                "{path}: cached bytes = a fresh render"
            );
        }
        assert!(
            before[1].body.contains("公表の後の訂正はありません"),
            "{}",
            before[1].body
        );

        // 行革本部 corrects item 2 after the publication, and the log key signs a new checkpoint.
        correct(&p, 2, "S");
        p.shared
            .read(|l| crate::evidence::transparency::sign(l, &p.log, 2, &mut |_, _| {}))
            .unwrap()
            .unwrap();
        with_server(Arc::clone(&served), |url| {
            let c = get(&format!("{url}{}", paths[1]), Some(&before[1].etag));
            assert_eq!(c.status, 200, "the old ETag no longer matches");
            assert!(c.body.contains("訂正の一覧（1件"), "{}", c.body);
            assert!(c.body.contains("誤記の訂正"), "{}", c.body);
            assert_ne!(c.etag, before[1].etag);
            assert_eq!(c.body, fresh(&p, &paths[1]));
            // The table as published is the same table; its page names the new checkpoint.
            let t = get(&format!("{url}{}", paths[0]), None);
            assert_ne!(t.body, before[0].body);
            assert_eq!(t.body, fresh(&p, &paths[0]));
            let j = get(&format!("{url}{}", paths[2]), None);
            assert_eq!(
                j.body, before[2].body,
                "the published table's JSON is unchanged"
            );
            let i = get(&format!("{url}{}", paths[3]), Some(&before[3].etag));
            assert_eq!(i.status, 200, "the item's page moved with the correction");
            assert!(i.body.contains("誤記の訂正"), "{}", i.body);
            assert_eq!(i.body, fresh(&p, &paths[3]));
        });
    }

    #[test]
    fn accept_encoding_is_read_as_rfc_9110_says() {
        let takes = |v: &[&str]| {
            let mut h = axum::http::HeaderMap::new();
            for x in v {
                h.append(header::ACCEPT_ENCODING, HeaderValue::from_str(x).unwrap());
            }
            accepts_gzip(&h)
        };
        assert!(!takes(&[]), "no header: identity");
        assert!(takes(&["gzip, deflate, br"]));
        assert!(takes(&["br;q=1.0, GZIP;q=0.5"]));
        assert!(takes(&["*"]));
        assert!(takes(&["identity", "x-gzip"]), "two headers, read together");
        assert!(!takes(&["gzip;q=0"]));
        assert!(
            !takes(&["gzip; q=0.000, *"]),
            "refused by name, whatever * says"
        );
        assert!(!takes(&["*;q=0"]));
        assert!(!takes(&["deflate, br"]));
        assert!(!takes(&["gzipped"]));
        assert!(!takes(&["gzip;q=abc"]), "an unreadable weight is no weight");
    }

    #[test]
    fn a_large_page_goes_gzipped_to_whoever_takes_gzip_and_whole_to_the_rest() {
        use std::io::Read as _;
        let p = published();
        let point = p.point.id();
        let served = app(&p);
        with_server(Arc::clone(&served), |url| {
            let page = format!("{url}/rounds/{point}");
            let plain = get(&page, None);
            assert_eq!(plain.status, 200);
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let fetch = |inm: Option<&str>| {
                let mut req = agent.get(&page).header("Accept-Encoding", "gzip, br");
                if let Some(t) = inm {
                    req = req.header("If-None-Match", t);
                }
                let mut res = req.call().unwrap();
                let h = |n: &str| {
                    res.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string()
                };
                let (enc, etag, vary) = (h("content-encoding"), h("etag"), h("vary"));
                let status = res.status().as_u16();
                let body = res.body_mut().read_to_vec().unwrap();
                (status, enc, etag, vary, body)
            };
            let (status, enc, etag, vary, body) = fetch(None);
            assert_eq!(
                (status, enc.as_str(), vary.as_str()),
                (200, "gzip", "accept-encoding")
            );
            assert_ne!(etag, plain.etag, "each variant has its own ETag");
            assert!(
                body.len() < plain.body.len() / 2,
                "{} of {}",
                body.len(),
                plain.body.len()
            );
            let mut text = String::new();
            flate2::read::GzDecoder::new(&body[..])
                .read_to_string(&mut text)
                .unwrap();
            assert_eq!(text, plain.body, "the same page, compressed");
            // The same bytes again, and 304 to the compressed variant's ETag only.
            assert_eq!(fetch(None).4, body);
            let (status, _, etag304, vary304, body304) = fetch(Some(&etag));
            assert_eq!(
                (status, etag304.as_str(), vary304.as_str(), body304.len()),
                (304, etag.as_str(), "accept-encoding", 0)
            );
            assert_eq!(
                fetch(Some(&plain.etag)).0,
                200,
                "the plain ETag names the other variant"
            );
            assert_eq!(
                get(&page, Some(&etag)).status,
                200,
                "nor does the gzip ETag match the plain"
            );
            // A small page is sent as it is.
            let css = agent
                .get(format!("{url}/assets/public.css"))
                .header("Accept-Encoding", "gzip")
                .call()
                .unwrap();
            let small = css.headers().get("content-encoding").is_none();
            let len = css.into_body().read_to_vec().unwrap().len();
            assert!(small || len >= GZIP_MIN, "a {len}-byte asset compressed");
        });
        // Both variants count against the cache's bytes.
        let (_, bytes) = served.pages.usage();
        let kept = lock(&served.pages.slots)
            .map
            .values()
            .filter_map(|s| s.page.as_ref())
            .map(|(_, p)| (p.body.len(), p.gzip.as_ref().map_or(0, |g| g.body.len())))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        assert!(kept.1 > 0);
        assert_eq!(bytes, kept.0 + kept.1);
    }

    #[test]
    fn the_published_rounds_memo_equals_a_full_scan_at_every_size() {
        use crate::publish::item::{PublishedMemo, published_rounds};
        let p = published();
        let memo = PublishedMemo::default();
        let full = |n: u64| p.shared.read(|l| published_rounds(l, n).unwrap()).unwrap();
        let memo_at = |n: u64| p.shared.read(|l| memo.up_to(l, n).unwrap()).unwrap();
        let n = p.shared.read(|l| l.len()).unwrap();
        let all = full(n);
        assert_eq!(all.len(), 1, "one round published");
        let s = all[0].seq;
        // Before the publication, at it, and past the log's end (clamped), then back to fewer events
        // than it has read (answered from its list).
        assert_eq!(memo_at(s), Vec::new());
        assert_eq!(memo_at(s + 1), all);
        assert_eq!(memo_at(n + 100), all);
        assert_eq!(memo_at(s), Vec::new());
        // The log grows; the memo reads the new events only, and still equals a full scan.
        correct(&p, 2, "S");
        let n2 = p.shared.read(|l| l.len()).unwrap();
        assert_eq!(n2, n + 1);
        assert_eq!(memo_at(n2), full(n2));
    }

    #[test]
    fn the_head_alone_or_the_checkpoint_alone_moves_the_corrections_page() {
        let p = published();
        let path = format!("/rounds/{}/corrections", p.point.id());
        let served = app(&p);
        with_server(Arc::clone(&served), |url| {
            let before = get(&format!("{url}{path}"), None);
            let h0 = super::head(&served).unwrap();
            correct(&p, 1, "B");
            let h1 = super::head(&served).unwrap();
            assert_ne!((h1.events, h1.hash), (h0.events, h0.hash));
            assert_eq!(h1.checkpoint, h0.checkpoint);
            // Not yet under a signed checkpoint: not on the page.
            let unsigned = get(&format!("{url}{path}"), None);
            assert_eq!(unsigned.body, before.body);
            p.shared
                .read(|l| crate::evidence::transparency::sign(l, &p.log, 2, &mut |_, _| {}))
                .unwrap()
                .unwrap();
            let h2 = super::head(&served).unwrap();
            assert_eq!((h2.events, h2.hash), (h1.events, h1.hash));
            assert_ne!(h2.checkpoint, h1.checkpoint);
            let signed = get(&format!("{url}{path}"), None);
            assert!(signed.body.contains("訂正の一覧（1件"), "{}", signed.body);
        });
    }

    #[test]
    fn the_stylesheet_has_an_etag_and_is_kept_an_hour() {
        let p = published();
        with_server(app(&p), |url| {
            let css = get(&format!("{url}/assets/public.css"), None);
            assert_eq!(css.status, 200);
            assert_eq!(css.cache_control, ASSET_CACHE_CONTROL);
            assert_eq!(css.body, crate::publish::html::CSS);
            let again = get(&format!("{url}/assets/public.css"), Some(&css.etag));
            assert_eq!(again.status, 304);
        });
    }

    #[test]
    fn an_unpublished_point_is_404_and_not_kept() {
        let p = published();
        let served = app(&p);
        with_server(Arc::clone(&served), |url| {
            for path in ["/rounds/FY2021-YE", "/rounds/nonsense/corrections"] {
                let got = get(&format!("{url}{path}"), None);
                assert!(matches!(got.status, 400 | 404), "{path}: {}", got.status);
                assert_eq!(got.cache_control, "");
            }
        });
        assert_eq!(served.pages.usage(), (0, 0));
    }
}
