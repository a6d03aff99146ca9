//! Where uploaded files live: an object store (a local directory by default), outside the web
//! root; files are only served through handlers that check who asks.

use std::sync::Arc;

use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::error::AppError;

#[derive(Clone, Debug)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

impl Storage {
    /// `s3://bucket[/prefix]` for an S3-compatible bucket (credentials, region and endpoint from
    /// the usual `AWS_*` variables: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
    /// `AWS_ENDPOINT` for a non-AWS service, `AWS_ALLOW_HTTP=true` for a local one); anything
    /// else is a local directory.
    pub fn from_config(location: &str) -> Result<Storage, String> {
        if location.starts_with("s3://") {
            let s3 = object_store::aws::AmazonS3Builder::from_env()
                .with_url(location)
                .build()
                .map_err(|e| e.to_string())?;
            Ok(Storage {
                store: Arc::new(s3),
            })
        } else if location.contains("://") {
            Err(format!(
                "type de stockage non pris en charge : {location} (dossier local ou s3://)"
            ))
        } else {
            Storage::local(std::path::Path::new(location)).map_err(|e| e.to_string())
        }
    }

    /// A local directory (created when missing).
    pub fn local(dir: &std::path::Path) -> std::io::Result<Storage> {
        std::fs::create_dir_all(dir)?;
        let fs = LocalFileSystem::new_with_prefix(dir).map_err(std::io::Error::other)?;
        Ok(Storage {
            store: Arc::new(fs),
        })
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), AppError> {
        self.store
            .put(&Path::from(key), PutPayload::from(bytes))
            .await
            .map_err(|e| AppError::internal("storage put", e))?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<bytes::Bytes, AppError> {
        let r = self
            .store
            .get(&Path::from(key))
            .await
            .map_err(|e| match e {
                object_store::Error::NotFound { .. } => AppError::NotFound,
                e => AppError::internal("storage get", e),
            })?;
        r.bytes()
            .await
            .map_err(|e| AppError::internal("storage read", e))
    }

    /// The keys under `prefix` last written before `before` (Unix seconds).
    pub async fn keys_older_than(
        &self,
        prefix: &str,
        before: i64,
    ) -> Result<Vec<String>, AppError> {
        use futures::TryStreamExt;
        let objects: Vec<object_store::ObjectMeta> = self
            .store
            .list(Some(&Path::from(prefix)))
            .try_collect()
            .await
            .map_err(|e| AppError::internal("storage list", e))?;
        Ok(objects
            .into_iter()
            .filter(|o| o.last_modified.timestamp() < before)
            .map(|o| o.location.to_string())
            .collect())
    }

    pub async fn delete(&self, key: &str) -> Result<(), AppError> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(AppError::internal("storage delete", e)),
        }
    }

    /// Removes the objects of `keys` (after the transaction that forgot them committed): a
    /// failure is logged and the others go on. Returns how many went.
    pub async fn delete_all(&self, keys: impl IntoIterator<Item = String>) -> usize {
        let mut deleted = 0;
        for key in keys {
            match self.delete(&key).await {
                Ok(()) => deleted += 1,
                Err(e) => tracing::error!("suppression du fichier {key} : {e:?}"),
            }
        }
        deleted
    }
}

/// A fresh random key for a new object.
pub fn new_key(prefix: &str, extension: &str) -> String {
    let id: [u8; 16] = rand::random();
    format!("{prefix}/{}.{extension}", hex::encode(id))
}
