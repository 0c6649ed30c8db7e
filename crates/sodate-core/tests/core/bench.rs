//! The import benchmark: Sodate's imports of the same generated file in both encodings, and
//! SQLite's own work on the imported rows as a floor, with nothing left behind.

use sodate_core::bench::{run_import, BenchRow};

fn find<'a>(rows: &'a [BenchRow], start: &str) -> Vec<&'a BenchRow> {
    rows.iter()
        .filter(|r| r.workload.starts_with(start))
        .collect()
}

fn secs(row: &BenchRow) -> f64 {
    row.p50_ms / 1000.0
}

#[test]
fn the_import_benchmark_times_both_imports_and_what_sqlite_alone_needs() {
    let dir = tempfile::tempdir().unwrap();
    // Above the bulk threshold (10,000): the path a large import takes.
    let rows = run_import(dir.path(), 12_000, &mut |_| {}).unwrap();

    let imports = find(&rows, "import ");
    assert_eq!(imports.len(), 2, "{rows:#?}");
    assert!(imports[0]
        .workload
        .starts_with("import UTF-8 CSV, 12000 rows"));
    assert!(imports[1]
        .workload
        .starts_with("import Shift_JIS CSV, 12000 rows"));
    for import in &imports {
        assert!(
            import.workload.contains("(12000 created"),
            "{}",
            import.workload
        );
        assert!(import.p50_ms > 0.0);
    }
    let indexes: Vec<_> = find(&rows, "SQLite alone: the ")
        .into_iter()
        .filter(|r| r.workload.contains("indexes"))
        .collect();
    assert_eq!(indexes.len(), 1);
    // Every index the bulk path rebuilds (those of leads, scores, history, activities,
    // consents), not the two partial ones it keeps live.
    assert!(
        indexes[0]
            .workload
            .contains("the 15 indexes the import rebuilds"),
        "{}",
        indexes[0].workload
    );
    let search = find(&rows, "SQLite alone: the trigram search index");
    assert_eq!(search.len(), 1);
    assert!(search[0].p50_ms > 0.0);

    let sqlite3 = find(&rows, "sqlite3 .import");
    let floors = find(&rows, "floor on two cores");
    if std::process::Command::new("sqlite3")
        .arg("--version")
        .output()
        .is_ok()
    {
        assert_eq!(sqlite3.len(), 1);
        assert_eq!(floors.len(), 2);
        let (import, index, text) = (secs(sqlite3[0]), secs(indexes[0]), secs(search[0]));
        let with_search = ((import + index + text) / 2.0).max(text);
        assert!((secs(floors[0]) - with_search).abs() < 0.002, "{floors:#?}");
        assert!(
            (secs(floors[1]) - (import + index) / 2.0).abs() < 0.002,
            "{floors:#?}"
        );
        let at_most = 12_000.0 / secs(floors[0]);
        assert!(
            floors[0]
                .workload
                .contains(&format!("({at_most:.0} rows/s at most)")),
            "{}",
            floors[0].workload
        );
    } else {
        assert!(sqlite3.is_empty() && floors.is_empty());
    }
    // The files, databases and scratch databases are gone.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}
