//! Desktop security: the window may use only the permissions the UI needs (listed here, each
//! with the UI code that needs it), and the content security policy admits no remote origin.
//! A new permission or CSP source fails this test until it is added here, with its reason.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every permission the app grants, and the UI file and call that use it.
const ALLOWED: &[(&str, &str, &str)] = &[
    // db-changed, import/dedupe/bulk/backup progress, db-damaged, file drops.
    ("core:event:allow-listen", "src/lib/ipc/index.ts", "listen<"),
    (
        "core:event:allow-unlisten",
        "src/lib/ipc/index.ts",
        "listen<",
    ),
    // Choosing a file to import, a scoring model to read.
    ("dialog:allow-open", "src/lib/ipc/native.ts", "open("),
    // Where to write failed rows, exports, handoff sheets.
    ("dialog:allow-save", "src/lib/ipc/native.ts", "save("),
];

#[test]
fn capabilities_grant_only_what_the_ui_uses() {
    let dir = crate_dir().join("capabilities");
    let mut granted = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("capabilities folder") {
        let path = entry.expect("entry").path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        assert_eq!(
            ext,
            "json",
            "{}: only JSON capabilities are checked",
            path.display()
        );
        let cap = read_json(&path);
        assert!(
            cap.get("remote").is_none(),
            "{}: no remote URL may use IPC",
            path.display()
        );
        assert_eq!(
            cap["windows"],
            serde_json::json!(["main"]),
            "{}",
            path.display()
        );
        assert!(
            cap.get("webviews").is_none(),
            "{}: no other webview is granted anything",
            path.display()
        );
        for p in cap["permissions"].as_array().expect("permissions list") {
            let id = match p {
                Value::String(s) => s.clone(),
                Value::Object(o) => {
                    // Scoped permissions (e.g. fs paths) would widen what is granted.
                    panic!("{}: scoped permission {o:?} is not allowed", path.display())
                }
                other => panic!("{}: unexpected permission {other}", path.display()),
            };
            granted.push(id);
        }
    }
    for id in &granted {
        assert!(
            ALLOWED.iter().any(|(a, _, _)| a == id),
            "capability grants {id}, which the UI does not use (or add it to ALLOWED with its reason)"
        );
        assert!(
            !id.ends_with(":default") && !id.contains("allow-all") && !id.starts_with("fs:"),
            "{id}: a whole plugin's default set or file-system access is too wide"
        );
    }
    // Each allowed permission is still needed: the UI code that uses it exists.
    let ui = crate_dir().join("../ui");
    for (id, file, call) in ALLOWED {
        if !granted.iter().any(|g| g == id) {
            continue;
        }
        let text = std::fs::read_to_string(ui.join(file)).unwrap_or_default();
        assert!(
            text.contains(call),
            "{id} is granted but {file} no longer calls {call}"
        );
    }
}

/// Sources a directive may list: the app's own files, inline data and blobs (images,
/// generated files, OCR workers), WebAssembly (OCR), and Tauri's IPC/asset protocols.
const ALLOWED_SOURCES: &[&str] = &[
    "'self'",
    "'none'",
    "'unsafe-inline'", // style-src only, checked below
    "'wasm-unsafe-eval'",
    "data:",
    "blob:",
    "asset:",
    "ipc:",
    "http://ipc.localhost",
    "https://ipc.localhost",
    "http://asset.localhost",
    "https://asset.localhost",
];

fn check_csp(csp: &str) -> Result<(), String> {
    let mut directives = Vec::new();
    for directive in csp.split(';').map(str::trim).filter(|d| !d.is_empty()) {
        let mut parts = directive.split_whitespace();
        let name = parts.next().unwrap_or_default();
        directives.push(name.to_string());
        for source in parts {
            if source.contains('*') {
                return Err(format!("{name}: wildcard source {source}"));
            }
            if !ALLOWED_SOURCES.contains(&source) {
                return Err(format!(
                    "{name}: source {source} is not allowed (remote or unsafe)"
                ));
            }
            if source == "'unsafe-inline'" && name != "style-src" {
                return Err(format!(
                    "{name}: 'unsafe-inline' is allowed for styles only"
                ));
            }
        }
    }
    if !directives.iter().any(|d| d == "default-src") {
        return Err("no default-src".into());
    }
    Ok(())
}

#[test]
fn the_content_security_policy_has_no_remote_origin() {
    let conf = read_json(&crate_dir().join("tauri.conf.json"));
    let security = &conf["app"]["security"];
    let csp = security["csp"].as_str().expect("a CSP string is set");
    check_csp(csp).unwrap_or_else(|e| panic!("CSP: {e}\n{csp}"));
    assert!(
        security
            .get("dangerousDisableAssetCspModification")
            .is_none(),
        "Tauri's CSP nonces stay on"
    );
    assert!(security.get("freezePrototype").is_none_or(|v| v != false));
    for window in conf["app"]["windows"].as_array().expect("windows") {
        let url = window
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or("index.html");
        assert!(
            !url.contains("://"),
            "window {window} loads a remote URL {url}"
        );
    }
    let dist = conf["build"]["frontendDist"]
        .as_str()
        .expect("frontendDist");
    assert!(
        !dist.contains("://"),
        "the UI is bundled, never loaded from {dist}"
    );
}

#[test]
fn the_csp_check_refuses_remote_and_wildcard_sources() {
    let good = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
                script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; connect-src ipc: http://ipc.localhost";
    assert_eq!(check_csp(good), Ok(()));
    for bad in [
        "default-src 'self' https://cdn.example.com",
        "default-src 'self'; connect-src *",
        "default-src 'self'; img-src https:",
        "default-src 'self'; script-src 'self' 'unsafe-eval'",
        "default-src 'self'; script-src 'self' 'unsafe-inline'",
        "default-src 'self'; connect-src http://localhost:8080",
        "img-src 'self'",
    ] {
        assert!(check_csp(bad).is_err(), "{bad} must be refused");
    }
}

#[test]
fn the_ui_loads_nothing_from_the_network() {
    let ui = crate_dir().join("../ui");
    let mut files = vec![ui.join("index.html")];
    let mut stack = vec![ui.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("ui folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ["svelte", "ts", "css", "html"].contains(&e))
            {
                files.push(path);
            }
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for pattern in [
            "src=\"http",
            "href=\"http",
            "url(http",
            "url('http",
            "url(\"http",
            "fetch('http",
            "fetch(\"http",
            "@import \"http",
            "@import 'http",
        ] {
            assert!(
                !text.contains(pattern),
                "{} loads remote content ({pattern})",
                file.display()
            );
        }
    }
}
