//! The browser harness: Debian's chromium, headless, driven through the DevTools protocol
//! (`headless_chrome`, which never downloads a browser here: its `fetch` feature is off). A test opens
//! pages at a width (1280 or 320 CSS pixels), fills fields, chooses options, clicks and waits for the
//! next page, reads text, keeps screenshots and PDFs in `target/browser-artifacts/`, and runs axe-core
//! (from npm, `tests/browser/node_modules`) on a page, failing on any serious or critical violation.
//!
//! Chromium runs with a fresh temporary profile and the flags CI (as root) needs: `--headless
//! --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
//! --disable-component-update --disable-sync`. Without chromium (or axe-core) the browser tests fail
//! with one line saying how to install it, unless `HYOKA_SKIP_BROWSER=1` is set: then
//! [`Browser::launch`] gives `None` and the test returns.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use headless_chrome::protocol::cdp::{Emulation, Page as Cdp};
use headless_chrome::{Browser as Chrome, LaunchOptions, Tab};
use serde_json::Value;

/// The widths every page is looked at: a desktop and the 320 px of WCAG's reflow criterion.
pub const WIDE: u32 = 1280;
pub const NARROW: u32 = 320;

/// How long a page may take to load or a condition to hold.
const TIMEOUT: Duration = Duration::from_secs(20);

/// A headless chromium with its own temporary profile.
pub struct Browser {
    chrome: Chrome,
    _profile: tempfile::TempDir,
    axe: String,
    artifacts: PathBuf,
}

/// One tab of the browser.
pub struct Page {
    tab: Arc<Tab>,
    axe: String,
    artifacts: PathBuf,
    width: u32,
}

/// The directory the screenshots and PDFs of `test` are kept in (CI keeps it as an artifact).
pub fn artifacts(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("browser-artifacts")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("artifacts directory");
    dir
}

/// The system's chromium: `CHROME` if set, else `chromium` (or `chromium-browser`, `google-chrome`)
/// on the `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROME") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| {
            ["chromium", "chromium-browser", "google-chrome"]
                .into_iter()
                .map(move |n| d.join(n))
        })
        .find(|p| p.is_file())
}

/// Whether the browser tests are skipped (`HYOKA_SKIP_BROWSER=1`).
fn skipped() -> bool {
    std::env::var("HYOKA_SKIP_BROWSER").is_ok_and(|v| v == "1")
}

impl Browser {
    /// Starts chromium for `test` (its artifacts in `target/browser-artifacts/<test>/`): `None` when
    /// chromium or axe-core is missing and `HYOKA_SKIP_BROWSER=1` is set; a failure saying how to
    /// install them when they are missing otherwise.
    pub fn launch(test: &str) -> Option<Browser> {
        let axe_path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/browser/node_modules/axe-core/axe.min.js");
        let (Some(path), Ok(axe)) = (chromium(), std::fs::read_to_string(&axe_path)) else {
            if skipped() {
                eprintln!("browser tests skipped (HYOKA_SKIP_BROWSER=1)");
                return None;
            }
            panic!(
                "the browser tests need chromium and axe-core: install them with `apt-get install -y chromium` and `npm ci --prefix tests/browser` (or set HYOKA_SKIP_BROWSER=1 to skip them)"
            );
        };
        let profile = tempfile::tempdir().expect("profile directory");
        let args: Vec<&OsStr> = [
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ]
        .iter()
        .map(OsStr::new)
        .collect();
        let options = LaunchOptions::default_builder()
            .path(Some(path))
            .headless(true)
            .sandbox(false)
            .window_size(Some((WIDE, 900)))
            .user_data_dir(Some(profile.path().to_path_buf()))
            .idle_browser_timeout(Duration::from_secs(300))
            .args(args)
            .build()
            .expect("launch options");
        let chrome = Chrome::new(options).expect("start chromium");
        Some(Browser {
            chrome,
            _profile: profile,
            axe,
            artifacts: artifacts(test),
        })
    }

    /// A new tab, `width` pixels wide.
    pub fn page(&self, width: u32) -> Page {
        let tab = self.chrome.new_tab().expect("new tab");
        tab.set_default_timeout(TIMEOUT);
        // The pages' Content-Security-Policy allows no injected script; axe is the test's own.
        tab.call_method(Cdp::SetBypassCSP { enabled: true })
            .expect("bypass CSP");
        let page = Page {
            tab,
            axe: self.axe.clone(),
            artifacts: self.artifacts.clone(),
            width,
        };
        page.set_width(width, 900);
        page
    }
}

/// An axe-core violation: the rule, its impact, and the elements that break it.
#[derive(Debug)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

impl Page {
    /// Lays the page out `width` CSS pixels wide (and `height` high).
    pub fn set_width(&self, width: u32, height: u32) {
        self.tab
            .call_method(Emulation::SetDeviceMetricsOverride {
                width,
                height,
                device_scale_factor: 1.0,
                mobile: false,
                scale: None,
                screen_width: None,
                screen_height: None,
                position_x: None,
                position_y: None,
                dont_set_visible_size: None,
                screen_orientation: None,
                viewport: None,
                display_feature: None,
                device_posture: None,
            })
            .expect("set the width");
    }

    /// Opens `url` and waits for it to load.
    pub fn open(&self, url: &str) {
        self.tab
            .navigate_to(url)
            .and_then(|t| t.wait_until_navigated())
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        self.wait_loaded();
    }

    /// The page's address now.
    pub fn url(&self) -> String {
        self.eval("location.href")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Evaluates `js` in the page: its value.
    pub fn eval(&self, js: &str) -> Value {
        self.tab
            .evaluate(js, false)
            .unwrap_or_else(|e| panic!("evaluate {js}: {e}"))
            .value
            .unwrap_or(Value::Null)
    }

    /// Waits until `js` evaluates to `true`.
    fn wait_for(&self, js: &str, what: &str) {
        headless_chrome::util::Wait::with_timeout(TIMEOUT)
            .until(|| (self.eval(js) == Value::Bool(true)).then_some(()))
            .unwrap_or_else(|_| panic!("waited in vain for {what} ({})", self.url()));
    }

    fn wait_loaded(&self) {
        self.wait_for(
            "document.readyState === 'complete' && document.body !== null",
            "the page to load",
        );
    }

    /// The element `selector`, which must be there.
    fn element(&self, selector: &str) -> headless_chrome::Element<'_> {
        self.tab
            .find_element(selector)
            .unwrap_or_else(|e| panic!("no element {selector} on {}: {e}", self.url()))
    }

    /// Types `text` into the field `selector` (its value replaced).
    pub fn fill(&self, selector: &str, text: &str) {
        let el = self.element(selector);
        el.call_js_fn(
            "function(v) { this.focus(); this.value = v; this.dispatchEvent(new Event('input', {bubbles: true})); this.dispatchEvent(new Event('change', {bubbles: true})); }",
            vec![Value::String(text.into())],
            false,
        )
        .unwrap_or_else(|e| panic!("fill {selector}: {e}"));
    }

    /// Chooses the option whose value is `value` in the select `selector`.
    pub fn select(&self, selector: &str, value: &str) {
        let el = self.element(selector);
        let ok = el
            .call_js_fn(
                "function(v) { const o = Array.from(this.options).find(o => o.value === v); if (!o) return false; this.value = v; this.dispatchEvent(new Event('change', {bubbles: true})); return true; }",
                vec![Value::String(value.into())],
                false,
            )
            .unwrap_or_else(|e| panic!("select {selector}: {e}"));
        assert_eq!(
            ok.value,
            Some(Value::Bool(true)),
            "{selector} has no option {value}"
        );
    }

    /// Sets the checkbox `selector` on or off (by clicking it when it differs).
    pub fn check(&self, selector: &str, on: bool) {
        let el = self.element(selector);
        let checked = el
            .call_js_fn("function() { return this.checked; }", vec![], false)
            .expect("checked")
            .value;
        if checked != Some(Value::Bool(on)) {
            el.click()
                .unwrap_or_else(|e| panic!("click {selector}: {e}"));
        }
    }

    /// Clicks `selector` (a link or a form's button) and waits for the next page to load.
    pub fn click_and_wait(&self, selector: &str) {
        self.eval("window.__hyoka_before = true");
        let el = self.element(selector);
        el.scroll_into_view()
            .and_then(|e| e.click())
            .unwrap_or_else(|e| panic!("click {selector}: {e}"));
        self.wait_for(
            "window.__hyoka_before === undefined && document.readyState === 'complete' && document.body !== null",
            &format!("the page after clicking {selector}"),
        );
    }

    /// The text of the element `selector`.
    pub fn text(&self, selector: &str) -> String {
        let el = self.element(selector);
        el.get_inner_text()
            .unwrap_or_else(|e| panic!("text of {selector}: {e}"))
    }

    /// The whole page's text.
    pub fn body_text(&self) -> String {
        self.text("body")
    }

    /// The value of the field `selector`.
    pub fn value(&self, selector: &str) -> String {
        let el = self.element(selector);
        el.call_js_fn("function() { return this.value; }", vec![], false)
            .expect("value")
            .value
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// A screenshot of the whole page (PNG) at the page's width, kept as `<name>-<width>.png`: its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let height = self
            .eval("Math.ceil(document.documentElement.scrollHeight)")
            .as_u64()
            .unwrap_or(900)
            .clamp(200, 8000) as u32;
        self.set_width(self.width, height);
        let png = self
            .tab
            .capture_screenshot(Cdp::CaptureScreenshotFormatOption::Png, None, None, true)
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        self.set_width(self.width, 900);
        let path = self.artifacts.join(format!("{name}-{}.png", self.width));
        std::fs::write(&path, png).expect("write the screenshot");
        path
    }

    /// The page printed to PDF as the browser's print does (the page size and margins of the
    /// stylesheet's `@page`, backgrounds printed), kept as `<name>.pdf`: its path.
    pub fn pdf(&self, name: &str) -> PathBuf {
        let options = headless_chrome::types::PrintToPdfOptions {
            prefer_css_page_size: Some(true),
            print_background: Some(true),
            ..Default::default()
        };
        let pdf = self
            .tab
            .print_to_pdf(Some(options))
            .unwrap_or_else(|e| panic!("print {name}: {e}"));
        let path = self.artifacts.join(format!("{name}.pdf"));
        std::fs::write(&path, pdf).expect("write the PDF");
        path
    }

    /// Runs axe-core on the page: every violation (of WCAG 2.0/2.1 A and AA and axe's best
    /// practices).
    pub fn axe(&self) -> Vec<Violation> {
        if self.eval("typeof window.axe") != Value::String("object".into()) {
            self.tab
                .evaluate(&self.axe, false)
                .unwrap_or_else(|e| panic!("inject axe-core: {e}"));
        }
        let out = self
            .tab
            .evaluate(
                "axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))))",
                true,
            )
            .unwrap_or_else(|e| panic!("run axe-core: {e}"))
            .value
            .and_then(|v| v.as_str().map(str::to_string))
            .expect("axe's result");
        let list: Vec<Value> = serde_json::from_str(&out).expect("axe's JSON");
        list.into_iter()
            .map(|v| Violation {
                id: v["id"].as_str().unwrap_or("").into(),
                impact: v["impact"].as_str().unwrap_or("").into(),
                help: v["help"].as_str().unwrap_or("").into(),
                targets: v["targets"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|t| t.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// Looks at the page as a person would: a screenshot at 1280 and at 320 pixels, and axe-core,
    /// which must find no serious or critical violation (`name` names the files and the failure).
    pub fn look(&mut self, name: &str) {
        let width = self.width;
        for w in [WIDE, NARROW] {
            self.width = w;
            self.set_width(w, 900);
            self.screenshot(name);
            let bad: Vec<Violation> = self
                .axe()
                .into_iter()
                .filter(|v| v.impact == "serious" || v.impact == "critical")
                .collect();
            let lines: Vec<String> = bad
                .iter()
                .map(|v| {
                    format!(
                        "{} ({}): {} at {}",
                        v.id,
                        v.impact,
                        v.help,
                        v.targets.join(", ")
                    )
                })
                .collect();
            assert!(
                lines.is_empty(),
                "axe-core on {name} at {w}px ({}):\n{}",
                self.url(),
                lines.join("\n")
            );
        }
        self.width = width;
        self.set_width(width, 900);
    }

    /// The value of the cookie `name` for the page's site.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.tab
            .get_cookies()
            .expect("cookies")
            .into_iter()
            .find(|c| c.name == name)
            .map(|c| c.value)
    }
}
