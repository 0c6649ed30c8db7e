// Prevents an additional console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// The allocator of the workspace manifest (imports free on one thread what another made).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // WebKitGTK renders blank windows on some GPUs and under Xvfb without these.
    #[cfg(target_os = "linux")]
    for key in ["WEBKIT_DISABLE_DMABUF_RENDERER"] {
        if std::env::var_os(key).is_none() {
            std::env::set_var(key, "1");
        }
    }
    match sodate_desktop::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sodate-desktop: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
