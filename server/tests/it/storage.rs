//! Uploaded files on an S3-compatible bucket: the local S3 server `scripts/s3-test-server.sh`
//! starts (moto), reached through the same `Storage` the server uses with `PERMIS_STORAGE=s3://…`.

use app::error::AppError;
use app::server::storage::Storage;

#[tokio::test]
async fn files_round_trip_on_an_s3_compatible_bucket() {
    let url = std::env::var("PERMIS_TEST_S3").expect(
        "PERMIS_TEST_S3 is set by scripts/test.sh, which starts a local S3 server (scripts/s3-test-server.sh)",
    );
    let storage = Storage::from_config(&url).expect("S3 storage");
    let key = app::server::storage::new_key("demandes/1", "pdf");
    storage
        .put(&key, b"%PDF-1.4 piece".to_vec())
        .await
        .expect("put");
    assert_eq!(
        storage.get(&key).await.expect("get").as_ref(),
        b"%PDF-1.4 piece"
    );
    // The orphan-file sweeper lists by age.
    let now = jiff::Timestamp::now().as_second();
    let old = storage
        .keys_older_than("demandes", now + 60)
        .await
        .expect("list");
    assert!(old.contains(&key), "{old:?}");
    let old = storage
        .keys_older_than("demandes", now - 3_600)
        .await
        .expect("list");
    assert!(!old.contains(&key), "{old:?}");
    storage.delete(&key).await.expect("delete");
    assert_eq!(storage.get(&key).await.unwrap_err(), AppError::NotFound);
    // Deleting what is already gone is not an error (a retried cleanup).
    storage.delete(&key).await.expect("delete again");
}

#[test]
fn unknown_storage_kinds_are_refused() {
    assert!(Storage::from_config("ftp://example.org/x").is_err());
}
