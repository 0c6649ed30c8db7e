//! Sodate desktop: the Tauri 2 shell. It opens the database, registers the commands and
//! hands everything else to sodate-core. No domain logic lives here.

pub mod commands;
pub mod error;
pub mod state;

use std::path::PathBuf;

use specta_typescript::Typescript;
use tauri_specta::{collect_commands, Builder};

/// Where the generated TypeScript bindings live, relative to this crate.
pub const BINDINGS_PATH: &str = "../ui/src/lib/ipc/bindings.ts";

/// The typed command list shared by the app and the bindings export.
pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new().commands(collect_commands![
        commands::app::app_status,
        commands::app::stats,
        commands::app::demo_load,
        commands::encryption::encryption_status,
        commands::encryption::database_unlock,
        commands::encryption::encryption_enable,
        commands::encryption::encryption_change,
        commands::encryption::encryption_disable,
        commands::backups::backups_list,
        commands::backups::backup_now,
        commands::backups::backup_restore,
        commands::backups::backup_latest_good,
        commands::backups::salvage_export,
        commands::backups::integrity_check,
        commands::leads::lead_list,
        commands::leads::lead_get,
        commands::leads::lead_create,
        commands::leads::lead_update,
        commands::leads::lead_delete,
        commands::leads::lead_bulk,
        commands::companies::company_list,
        commands::companies::company_get,
        commands::imports::import_inspect,
        commands::imports::import_run,
        commands::imports::import_cancel,
        commands::imports::import_history,
        commands::imports::import_undo,
        commands::imports::import_write_failures,
        commands::imports::import_save_preset,
        commands::imports::import_delete_preset,
        commands::dedupe::dedupe_scan,
        commands::dedupe::dedupe_cancel,
        commands::dedupe::dedupe_compare,
        commands::dedupe::dedupe_bulk_merge,
        commands::dedupe::lead_similar,
        commands::dedupe::lead_merge,
        commands::dedupe::lead_unmerge,
        commands::dedupe::lead_merges,
        commands::dedupe::lead_not_duplicate,
        commands::scoring::scoring_model,
        commands::scoring::scoring_catalogue,
        commands::scoring::scoring_impact,
        commands::scoring::scoring_impact_leads,
        commands::scoring::scoring_save,
        commands::scoring::scoring_export,
        commands::scoring::scoring_read,
        commands::scoring::lead_explain,
        commands::scoring::lead_score_history,
        commands::scoring::activity_add,
        commands::scoring::activity_add_to_leads,
        commands::scoring::activity_remove,
        commands::segments::segment_fields,
        commands::segments::segment_count,
        commands::segments::segment_members,
        commands::segments::segment_list,
        commands::segments::segment_save,
        commands::segments::segment_update,
        commands::segments::segment_duplicate,
        commands::segments::segment_freeze,
        commands::segments::segment_delete,
        commands::dashboard::dashboard_compute,
        commands::dashboard::dashboard_drill,
        commands::dashboard::dashboard_journeys,
        commands::dashboard::dashboard_dormant_segment,
        commands::files::file_save,
        commands::files::file_save_pdf,
        commands::export::export_profiles,
        commands::export::export_preview,
        commands::export::export_write,
        commands::export::export_folder,
        commands::export::results_import,
        commands::export::consent_list,
        commands::export::consent_add,
        commands::export::consent_edit,
        commands::export::person_export,
        commands::export::person_erase,
        commands::export::suppression_export,
        commands::export::suppression_import,
        commands::card_text::card_text_parse,
        commands::board::board_get,
        commands::board::board_column,
        commands::board::board_move,
        commands::board::board_move_many,
        commands::board::board_config,
        commands::board::board_config_save,
        commands::board::lead_qualification_save,
        commands::board::lead_set_owner,
        commands::board::board_reactivation,
        commands::board::board_column_ids,
        commands::board::board_handoff_sheets,
        commands::board::board_handoff_csv,
        commands::journeys::journey_templates,
        commands::journeys::persona_list,
        commands::journeys::persona_save,
        commands::journeys::journey_list,
        commands::journeys::journey_create,
        commands::journeys::journey_get,
        commands::journeys::journey_save,
        commands::journeys::journey_delete,
        commands::journeys::journey_metrics,
        commands::journeys::journey_due,
        commands::journeys::journey_due_csv,
        commands::journeys::journey_mark_sent,
        commands::capture::capture_events,
        commands::capture::capture_event_create,
        commands::capture::capture_counts,
        commands::capture::capture_save,
        commands::capture::capture_products,
        commands::capture::capture_draft_save,
        commands::capture::capture_drafts,
        commands::capture::capture_draft_discard,
        commands::capture::capture_photo_attach,
        commands::capture::capture_photo_attach_file,
        commands::capture::capture_photo_remove,
        commands::capture::capture_qr_read,
        commands::capture::lead_photos,
        commands::capture::photo_image,
    ])
}

/// The TypeScript exporter settings.
pub fn typescript() -> Typescript {
    Typescript::default().header("/* eslint-disable */\n// @ts-nocheck")
}

/// Writes the bindings file (used by `make bindings` and checked by a test).
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    specta_builder()
        .export(typescript(), path)
        .map_err(|e| e.to_string())
}

/// The database the app opens: `--db PATH` on the command line, else `$SODATE_DB`, else the
/// OS data directory.
pub fn db_path_from_args(args: impl IntoIterator<Item = String>) -> PathBuf {
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        if a == "--db" {
            if let Some(p) = args.next() {
                return PathBuf::from(p);
            }
        } else if let Some(p) = a.strip_prefix("--db=") {
            return PathBuf::from(p);
        }
    }
    sodate_core::db::default_path()
}

pub fn run() -> Result<(), String> {
    let db_path = db_path_from_args(std::env::args().skip(1));
    let builder = specta_builder();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state::AppState::open(db_path))
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            keep_scores_current(app.handle().clone());
            commands::backups::check_at_start(app.handle().clone());
            prefetch_dashboard(app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!())
        .map_err(|e| e.to_string())
}

/// Scores fade with time: a few seconds after start (the first screen comes first) and then
/// every hour, the scores are brought to today when a day has passed since they were computed.
/// Then, unless that recompute left it in memory already, every lead and activity is read in
/// the background for the scoring page's impact preview (seconds at 1M leads, on read-only
/// connections: nothing waits for it), so that the user's first preview is served from memory.
fn keep_scores_current(app: tauri::AppHandle) {
    use tauri::Manager;
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(3));
        loop {
            let state = app.state::<state::AppState>();
            if let Err(e) =
                tauri::async_runtime::block_on(commands::scoring::apply_decay(&app, &state))
            {
                eprintln!(
                    "sodate: updating the scores for today failed: {}",
                    e.message
                );
            }
            if let Err(e) =
                tauri::async_runtime::block_on(commands::scoring::prepare_impact_preview(&state))
            {
                eprintln!(
                    "sodate: reading the scores for the impact preview failed: {}",
                    e.message
                );
            }
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    });
}

/// The dashboard's per-lead facts take seconds to read at a million leads: soon after start
/// (once the database is open, after an unlock too) they are read on connections of their
/// own, so that no other command waits for that read, and a dashboard asked for meanwhile
/// waits for it rather than reading the same beside it.
fn prefetch_dashboard(app: tauri::AppHandle) {
    use tauri::Manager;
    std::thread::spawn(move || {
        let state = app.state::<state::AppState>();
        let file = loop {
            std::thread::sleep(std::time::Duration::from_secs(2));
            if let Some(file) = state.with_open(|db| db.file().clone()) {
                break file;
            }
        };
        let _running = state.dashboard_ahead.start();
        match sodate_core::dashboard::prefetch(&file) {
            // After a restore meanwhile, the restored file's journal is behind these facts'
            // position, and the first dashboard reads everything again (`db::changes`).
            Ok(facts) => {
                state.with_open(|db| sodate_core::dashboard::adopt(db, facts));
            }
            Err(e) => eprintln!("sodate: reading the dashboard's figures ahead failed: {e}"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_path_comes_from_the_command_line() {
        let args = ["--db", "/tmp/x.db"].map(String::from);
        assert_eq!(db_path_from_args(args), PathBuf::from("/tmp/x.db"));
        let args = ["--db=/tmp/y.db"].map(String::from);
        assert_eq!(db_path_from_args(args), PathBuf::from("/tmp/y.db"));
    }

    /// Fails when the committed bindings differ from what the Rust commands export.
    /// Regenerate with `make bindings` (UPDATE_BINDINGS=1).
    #[test]
    fn bindings_are_up_to_date() -> Result<(), String> {
        let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_PATH);
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            return export_bindings(&committed);
        }
        let dir = std::env::temp_dir().join(format!("sodate-bindings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let fresh = dir.join("bindings.ts");
        export_bindings(&fresh)?;
        let fresh_text = std::fs::read_to_string(&fresh).map_err(|e| e.to_string())?;
        let _ = std::fs::remove_dir_all(&dir);
        let committed_text = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            fresh_text == committed_text,
            "ui/src/lib/ipc/bindings.ts is out of date: run `make bindings` and commit it"
        );
        Ok(())
    }
}
