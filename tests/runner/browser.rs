//! The browser harness: Debian's chromium, headless, driven through the DevTools protocol
//! (`headless_chrome`, which never downloads a browser here: its `fetch` feature is off). A test opens
//! pages at a width (1280 or 320 CSS pixels), fills fields, chooses options, clicks and waits for the
//! next page, reads text, keeps screenshots and PDFs in `target/browser-artifacts/`, and runs axe-core
//! (from npm, `tests/browser/node_modules`) on a page, failing on any serious or critical violation.
//!
//! Each step is as few DevTools round trips as it can be (headless_chrome's connection answers a call
//! in up to 100 ms or so, whatever the call): a field is filled, an option chosen or a text read by one
//! script run on the element found by its selector; a click is a real mouse click (pressed and
//! released at the element's centre, once a hit test there finds the element) after one script that
//! scrolls it into view; waits poll every 10 ms; axe-core is injected and run in one call per page.
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

use headless_chrome::protocol::cdp::{Emulation, Input, Page as Cdp};
use headless_chrome::{Browser as Chrome, LaunchOptions, Tab};
use serde_json::Value;

/// The widths every page is looked at: a desktop and the 320 px of WCAG's reflow criterion.
pub const WIDE: u32 = 1280;
pub const NARROW: u32 = 320;

/// How long a page may take to load or a condition to hold.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The time spent in each kind of step of this process's pages (`open`, `click`, `screenshot`,
/// `axe`...), with their counts: [`profile`] says where a walk's time goes.
static SPENT: std::sync::Mutex<Vec<(&'static str, Duration, u32)>> =
    std::sync::Mutex::new(Vec::new());

/// Runs `f`, adding its time to the step `what`.
fn timed<T>(what: &'static str, f: impl FnOnce() -> T) -> T {
    let started = std::time::Instant::now();
    let out = f();
    let took = started.elapsed();
    let mut spent = SPENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match spent.iter_mut().find(|(w, _, _)| *w == what) {
        Some((_, d, n)) => {
            *d += took;
            *n += 1;
        }
        None => spent.push((what, took, 1)),
    }
    out
}

/// The time spent so far in each kind of step, longest first: `step: seconds (count)` per line.
pub fn profile() -> String {
    let mut spent = SPENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    spent.sort_by_key(|s| std::cmp::Reverse(s.1));
    spent
        .iter()
        .map(|(w, d, n)| format!("{w}: {:.2} s ({n})", d.as_secs_f64()))
        .collect::<Vec<_>>()
        .join("\n")
}

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
        timed("open", || {
            self.mark();
            self.tab
                .navigate_to(url)
                .unwrap_or_else(|e| panic!("open {url}: {e}"));
            self.wait_for_next_page(&format!("{url} to load"));
        })
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

    /// Waits until `js` evaluates to `true` (asking every 10 ms; a page being replaced answers with
    /// an error, which is asked again).
    fn wait_for(&self, js: &str, what: &str) {
        headless_chrome::util::Wait::new(TIMEOUT, Duration::from_millis(10))
            .until(|| {
                let v = self.tab.evaluate(js, false).ok()?.value;
                (v == Some(Value::Bool(true))).then_some(())
            })
            .unwrap_or_else(|_| panic!("waited in vain for {what} ({})", self.url()));
    }

    /// Marks the page now, so that [`Page::wait_for_next_page`] knows when another has replaced it.
    fn mark(&self) {
        self.eval("window.__hyoka_before = true");
    }

    /// Waits until the marked page is replaced by one fully loaded.
    fn wait_for_next_page(&self, what: &str) {
        self.wait_for(
            "window.__hyoka_before === undefined && document.readyState === 'complete' && document.body !== null",
            what,
        );
    }

    /// Runs `body` (a function's body) with `this` the element `selector`, which must be there, and
    /// `v` the string `arg`: its value, in one round trip.
    fn on(&self, selector: &str, body: &str, arg: &str) -> Value {
        let js = format!(
            "(() => {{ const el = document.querySelector({sel}); if (el === null) return JSON.stringify({{missing: true}}); const value = (function(v) {{ {body} }}).call(el, {arg}); return JSON.stringify({{value: value === undefined ? null : value}}); }})()",
            sel = serde_json::to_string(selector).expect("JSON"),
            arg = serde_json::to_string(arg).expect("JSON"),
        );
        let out = self.eval(&js);
        let out: Value = serde_json::from_str(out.as_str().unwrap_or("{}")).expect("JSON");
        if out["missing"] == Value::Bool(true) {
            panic!("no element {selector} on {}", self.url());
        }
        out["value"].clone()
    }

    /// Types `text` into the field `selector` (its value replaced).
    pub fn fill(&self, selector: &str, text: &str) {
        timed("fill", || self.fill_now(selector, text))
    }

    fn fill_now(&self, selector: &str, text: &str) {
        self.on(
            selector,
            "this.focus(); this.value = v; this.dispatchEvent(new Event('input', {bubbles: true})); this.dispatchEvent(new Event('change', {bubbles: true}));",
            text,
        );
    }

    /// Chooses the option whose value is `value` in the select `selector`.
    pub fn select(&self, selector: &str, value: &str) {
        let ok = timed("select", || {
            self.on(
                selector,
                "const o = Array.from(this.options).find(o => o.value === v); if (!o) return false; this.value = v; this.dispatchEvent(new Event('change', {bubbles: true})); return true;",
                value,
            )
        });
        assert_eq!(ok, Value::Bool(true), "{selector} has no option {value}");
    }

    /// Sets the checkbox `selector` on or off (by clicking it when it differs).
    pub fn check(&self, selector: &str, on: bool) {
        let checked = self.on(selector, "return this.checked;", "");
        if checked != Value::Bool(on) {
            self.click(selector);
        }
    }

    /// Clicks `selector` with the mouse, as a person does: scrolled into view, then pressed and
    /// released at the centre of its first box (a link's first line), which must be the element (or
    /// inside it) and not something over it. The page is marked in the same call
    /// ([`Page::wait_for_next_page`]).
    fn click(&self, selector: &str) {
        let at = self.on(
            selector,
            "window.__hyoka_before = true; this.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'}); const rects = this.getClientRects(); const r = rects.length > 0 ? rects[0] : this.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2; const hit = document.elementFromPoint(x, y); if (r.width === 0 || r.height === 0 || hit === null || !(hit === this || this.contains(hit))) return 'hidden or covered'; return [x, y];",
            "",
        );
        let (Some(x), Some(y)) = (at[0].as_f64(), at[1].as_f64()) else {
            panic!("click {selector} on {}: {at}", self.url());
        };
        for kind in [
            Input::DispatchMouseEventTypeOption::MousePressed,
            Input::DispatchMouseEventTypeOption::MouseReleased,
        ] {
            self.tab
                .call_method(Input::DispatchMouseEvent {
                    Type: kind,
                    x,
                    y,
                    button: Some(Input::MouseButton::Left),
                    click_count: Some(1),
                    modifiers: None,
                    timestamp: None,
                    buttons: None,
                    force: None,
                    tangential_pressure: None,
                    tilt_x: None,
                    tilt_y: None,
                    twist: None,
                    delta_x: None,
                    delta_y: None,
                    pointer_Type: None,
                })
                .unwrap_or_else(|e| panic!("click {selector}: {e}"));
        }
    }

    /// Clicks `selector` (a link or a form's button) and waits for the next page to load.
    pub fn click_and_wait(&self, selector: &str) {
        timed("click", || self.click(selector));
        timed("wait for the next page", || {
            self.wait_for_next_page(&format!("the page after clicking {selector}"))
        });
    }

    /// The text of the element `selector`.
    pub fn text(&self, selector: &str) -> String {
        timed("text", || {
            self.on(selector, "return this.innerText;", "")
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
    }

    /// The whole page's text.
    pub fn body_text(&self) -> String {
        self.text("body")
    }

    /// The value of the field `selector`.
    pub fn value(&self, selector: &str) -> String {
        self.on(selector, "return this.value;", "")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// A screenshot of the whole page (PNG) at the page's width, kept as `<name>-<width>.png`: its path.
    // A test may keep a screenshot without axe-core's look ([`Page::look`] takes its own).
    #[allow(dead_code)]
    pub fn screenshot(&self, name: &str) -> PathBuf {
        timed("screenshot", || self.screenshot_now(name))
    }

    #[allow(dead_code)]
    fn screenshot_now(&self, name: &str) -> PathBuf {
        let path = self.whole_page_png(name);
        self.set_width(self.width, 900);
        path
    }

    /// As [`Page::screenshot`], the viewport left as high as the page (for the next look at it).
    fn screenshot_tall(&self, name: &str) -> PathBuf {
        timed("screenshot", || self.whole_page_png(name))
    }

    /// A screenshot of the whole page, the viewport left as high as the page.
    fn whole_page_png(&self, name: &str) -> PathBuf {
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
        const RUN: &str = "axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))))";
        // Run where the page has it already; else injected and run in the same call (once per page
        // loaded).
        let run = |js: &str| {
            self.tab
                .evaluate(js, true)
                .unwrap_or_else(|e| panic!("run axe-core: {e}"))
                .value
        };
        let mut out = timed("axe-core run", || {
            run(&format!(
                "typeof window.axe === 'object' ? {RUN} : 'absent'"
            ))
        });
        if out == Some(Value::String("absent".into())) {
            out = timed("axe-core injected and run", || {
                run(&format!("{};\n{RUN}", self.axe))
            });
        }
        let out = out
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

    /// Looks at the page as a person would: a screenshot at 1280 and at 320 pixels, axe-core, which
    /// must find no serious or critical violation, and what axe does not see: reflow at 320 pixels
    /// ([`Page::fits_narrow`]), WCAG's text spacing and a visible focus ([`Page::spacing_and_focus`])
    /// (`name` names the files and the failure).
    pub fn look(&mut self, name: &str) {
        let width = self.width;
        for w in [WIDE, NARROW] {
            self.width = w;
            self.set_width(w, 900);
            self.screenshot_tall(name);
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
        self.fits_narrow(name);
        self.spacing_and_focus(name);
        self.width = width;
        self.set_width(width, 900);
    }

    /// Whether the page, laid out `NARROW` pixels wide, fits: nothing wider than the viewport at page level,
    /// and each table's scrolling region (`.table-wrap` on the public pages, `.scroll` on the staff's) inside it. Panics saying what sticks out.
    fn fits_narrow(&self, name: &str) {
        self.set_width(NARROW, 900);
        let page_width = self
            .eval("document.documentElement.scrollWidth")
            .as_u64()
            .expect("width");
        if page_width > u64::from(NARROW) {
            let out = self.eval(
                "Array.from(document.querySelectorAll('body *')).filter(e => { const c = getComputedStyle(e); const inRegion = e.parentElement && e.parentElement.closest('.scroll, .table-wrap') && c.position !== 'absolute' && c.position !== 'fixed'; return !inRegion && (e.getBoundingClientRect().right > window.innerWidth + 0.5 || (c.overflowX === 'visible' && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)); }).slice(0, 6).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px').join(', ')",
            );
            panic!(
                "{name}: the page scrolls sideways at {NARROW}px ({page_width}px wide): {}",
                out.as_str().unwrap_or("?")
            );
        }
        let outside = self.eval(
            "Array.from(document.querySelectorAll('.table-wrap, .scroll')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).length",
        );
        assert_eq!(
            outside.as_u64(),
            Some(0),
            "{name}: a table's region sticks out"
        );
        self.set_width(WIDE, 900);
    }

    /// WCAG 1.4.12 (text spacing): with line height 1.5, paragraph spacing 2, letter spacing 0.12 and word
    /// spacing 0.16 times the font size, nothing is lost: at both widths the page still fits (no text forced
    /// out sideways) and no element clips its text (no `overflow: hidden` box whose content is taller or
    /// wider than it). WCAG 2.4.7: the first link or control of `main` (else of the page), focused from
    /// the keyboard, shows an outline at least 2px wide.
    fn spacing_and_focus(&self, name: &str) {
        self.eval(
            "(() => { const s = document.createElement('style'); s.id = 'wcag-spacing'; s.textContent = '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }'; document.head.appendChild(s); return true; })()",
        );
        for w in [WIDE, NARROW] {
            self.set_width(w, 900);
            let wide = self
                .eval("document.documentElement.scrollWidth")
                .as_u64()
                .expect("width");
            assert!(
                wide <= u64::from(w),
                "{name}: with WCAG's text spacing the page is {wide}px wide at {w}px"
            );
            let clipped = self.eval(
                "Array.from(document.querySelectorAll('body *')).filter(e => { const c = getComputedStyle(e); return (c.overflowX === 'hidden' || c.overflowY === 'hidden') && !e.classList.contains('vh') && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1); }).length",
            );
            assert_eq!(
                clipped.as_u64(),
                Some(0),
                "{name}: text clipped with WCAG's text spacing at {w}px"
            );
        }
        self.eval("document.getElementById('wcag-spacing').remove()");
        self.set_width(WIDE, 900);
        let outline = self.eval(
            "(() => { const f = 'a[href], button, input:not([type=hidden]), select, textarea'; const a = document.querySelector(f.split(', ').map(x => 'main ' + x).join(', ')) || document.querySelector(f); if (!a) return 'nothing'; a.focus(); const c = getComputedStyle(a); return c.outlineStyle + ' ' + c.outlineWidth; })()",
        );
        let outline = outline.as_str().unwrap_or("none").to_string();
        if outline == "nothing" {
            return; // a page with nothing to focus
        }
        let px: f64 = outline
            .split_whitespace()
            .nth(1)
            .and_then(|w| w.trim_end_matches("px").parse().ok())
            .unwrap_or(0.0);
        assert!(
            outline.starts_with("solid") && px >= 2.0,
            "{name}: a focused link shows no outline ({outline})"
        );
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
