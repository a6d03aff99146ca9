//! Uploaded documents: recognised by their content, PDF pages counted, images re-encoded (which
//! drops their metadata: EXIF position, camera, author) and given a thumbnail.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

use sqlx::FromRow;

use crate::domain::demande::{Etat, Piece};
use crate::domain::upload::{UploadProblem, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};
use crate::error::AppError;

use super::Db;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
        }
    }
}

/// The type of a file from its first bytes (never from its name or the browser's claim).
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(FileKind::Png)
    } else {
        None
    }
}

pub struct Processed {
    pub kind: FileKind,
    pub bytes: Vec<u8>,
    pub pages: u32,
    pub thumbnail: Option<Vec<u8>>,
}

impl std::fmt::Debug for Processed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processed")
            .field("kind", &self.kind)
            .field("bytes", &self.bytes.len())
            .field("pages", &self.pages)
            .field("thumbnail", &self.thumbnail.as_ref().map(Vec::len))
            .finish()
    }
}

/// Keys that carry active content wherever they appear: automatic actions (`OpenAction`,
/// `AA`), scripts (`JS`, `JavaScript`), attached or embedded files and media (`EmbeddedFiles`,
/// `EmbeddedFile`, `FS` file specifications, `RichMedia…`, `Movie`, `Sound`), XFA forms.
const ACTIVE_KEYS: &[&[u8]] = &[
    b"OpenAction",
    b"AA",
    b"JS",
    b"JavaScript",
    b"EmbeddedFiles",
    b"EmbeddedFile",
    b"FS",
    b"RichMediaContent",
    b"RichMediaSettings",
    b"Movie",
    b"Sound",
    b"XFA",
];

/// Actions that run something, leave the document or change it (links inside the document
/// and to web addresses stay).
const ACTIVE_ACTIONS: &[&[u8]] = &[
    b"JavaScript",
    b"Launch",
    b"SubmitForm",
    b"ImportData",
    b"ResetForm",
    b"GoToR",
    b"GoToE",
    b"Rendition",
    b"Movie",
    b"Sound",
    b"RichMediaExecute",
    b"Hide",
    b"SetOCGState",
    b"GoTo3DView",
];

/// Annotations that exist to play or open something.
const ACTIVE_ANNOTATIONS: &[&[u8]] = &[
    b"RichMedia",
    b"FileAttachment",
    b"Movie",
    b"Sound",
    b"Screen",
    b"3D",
];

/// Whether `obj` is one of the names in `list`.
fn name_in(obj: Option<&lopdf::Object>, list: &[&[u8]]) -> bool {
    matches!(obj, Some(lopdf::Object::Name(n)) if list.contains(&n.as_slice()))
}

/// Cleans one object and everything written inside it (nested dictionaries and arrays):
/// active keys removed, an action of an active kind (`is_active`, or found inline) made inert,
/// `A` entries to active actions removed, active annotations made inert.
fn clean(
    obj: &mut lopdf::Object,
    is_active: bool,
    active: &std::collections::HashSet<lopdf::ObjectId>,
) {
    use lopdf::Object;
    let dict = match obj {
        Object::Dictionary(d) => d,
        Object::Stream(s) => &mut s.dict,
        Object::Array(items) => {
            for item in items {
                clean(item, false, active);
            }
            return;
        }
        _ => return,
    };
    for key in ACTIVE_KEYS {
        dict.remove(key);
    }
    if is_active || name_in(dict.get(b"S").ok(), ACTIVE_ACTIONS) {
        dict.remove(b"S");
        dict.remove(b"F");
        dict.remove(b"Next");
    }
    let points_to_active = match dict.get(b"A").ok() {
        Some(Object::Reference(r)) => active.contains(r),
        Some(Object::Dictionary(a)) => name_in(a.get(b"S").ok(), ACTIVE_ACTIONS),
        _ => false,
    };
    if points_to_active {
        dict.remove(b"A");
    }
    let annotation = name_in(dict.get(b"Type").ok(), &[b"Annot"]) || dict.has(b"Rect");
    if annotation && name_in(dict.get(b"Subtype").ok(), ACTIVE_ANNOTATIONS) {
        dict.set("Subtype", Object::Name(b"Text".to_vec()));
    }
    for (_, value) in dict.iter_mut() {
        clean(value, false, active);
    }
}

/// Removes active content from a PDF: every key above in every dictionary, every action of
/// the kinds above (and the `A` entries pointing to them), and the active annotations (turned
/// into inert ones). What is left shows the same pages.
pub fn strip_active_content(doc: &mut lopdf::Document) {
    use lopdf::Object;
    // The actions to neutralise, found first (an `A` entry may point to one by reference).
    let active: std::collections::HashSet<lopdf::ObjectId> = doc
        .objects
        .iter()
        .filter_map(|(id, obj)| {
            let dict = match obj {
                Object::Dictionary(d) => d,
                Object::Stream(s) => &s.dict,
                _ => return None,
            };
            name_in(dict.get(b"S").ok(), ACTIVE_ACTIONS).then_some(*id)
        })
        .collect();
    for (id, obj) in doc.objects.iter_mut() {
        clean(obj, active.contains(id), &active);
    }
    // Embedded files and the scripts nothing refers to any more are not kept.
    doc.objects.retain(|_, obj| match obj {
        Object::Stream(s) => !name_in(s.dict.get(b"Type").ok(), &[b"EmbeddedFile"]),
        _ => true,
    });
    doc.prune_objects();
}

/// The size of the picture a JPEG or PNG declares in its header (nothing is decoded), refused
/// above what a scanned page or a photo needs.
fn declared_size(bytes: &[u8], format: ImageFormat) -> Result<(u32, u32), UploadProblem> {
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| UploadProblem::Unreadable)?;
    let pixels = u64::from(width) * u64::from(height);
    if width.max(height) > MAX_IMAGE_SIDE || pixels > MAX_IMAGE_PIXELS {
        return Err(UploadProblem::TooManyPixels);
    }
    Ok((width, height))
}

/// Set when the request that asked for the work has gone (timed out, client left): the work
/// stops at its next step.
#[derive(Clone, Default)]
pub struct Cancel(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Cancel {
    fn check(&self) -> Result<(), UploadProblem> {
        if self.0.load(std::sync::atomic::Ordering::Relaxed) {
            Err(UploadProblem::Unreadable)
        } else {
            Ok(())
        }
    }
}

/// Checks and normalises an upload. CPU-bound: call it off the async runtime, through
/// [`process_bounded`] on the server.
pub fn process(bytes: &[u8]) -> Result<Processed, UploadProblem> {
    process_until(bytes, &Cancel::default())
}

fn process_until(bytes: &[u8], cancel: &Cancel) -> Result<Processed, UploadProblem> {
    if bytes.is_empty() {
        return Err(UploadProblem::Missing);
    }
    if bytes.len() > crate::domain::upload::MAX_FILE_BYTES {
        return Err(UploadProblem::TooBig);
    }
    let kind = sniff(bytes).ok_or(UploadProblem::NotAllowedType)?;
    match kind {
        FileKind::Pdf => {
            let mut doc = lopdf::Document::load_mem(bytes).map_err(|e| match e {
                lopdf::Error::Decryption(_) | lopdf::Error::UnsupportedSecurityHandler(_) => {
                    UploadProblem::Protected
                }
                _ => UploadProblem::Unreadable,
            })?;
            cancel.check()?;
            if doc.is_encrypted() {
                return Err(UploadProblem::Protected);
            }
            let pages = doc.get_pages().len() as u32;
            if pages == 0 {
                return Err(UploadProblem::Unreadable);
            }
            // The document information (author, software, dates) and the XMP metadata go.
            let mut dropped = Vec::new();
            if let Some(lopdf::Object::Reference(id)) = doc.trailer.remove(b"Info") {
                dropped.push(id);
            }
            if let Ok(catalog) = doc.catalog_mut() {
                if let Some(lopdf::Object::Reference(id)) = catalog.remove(b"Metadata") {
                    dropped.push(id);
                }
            }
            for id in dropped {
                doc.objects.remove(&id);
            }
            // No active content reaches the agents' viewer, the school or the candidate.
            strip_active_content(&mut doc);
            cancel.check()?;
            let mut out = Vec::with_capacity(bytes.len());
            doc.save_to(&mut out)
                .map_err(|_| UploadProblem::Unreadable)?;
            Ok(Processed {
                kind,
                bytes: out,
                pages,
                thumbnail: None,
            })
        }
        FileKind::Jpeg | FileKind::Png => {
            let format = if kind == FileKind::Jpeg {
                ImageFormat::Jpeg
            } else {
                ImageFormat::Png
            };
            // A small file can claim a huge picture: its size is read first, then decoding is
            // bounded to it.
            let (width, height) = declared_size(bytes, format)?;
            let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
            let mut limits = Limits::default();
            limits.max_image_width = Some(width);
            limits.max_image_height = Some(height);
            limits.max_alloc = Some(decoded_bytes(width, height) + 16 * 1024 * 1024);
            reader.limits(limits);
            let mut decoder = reader
                .into_decoder()
                .map_err(|_| UploadProblem::Unreadable)?;
            // Phones store the picture sideways with an orientation tag: it is applied now,
            // since the tag goes with the other metadata.
            let orientation = image::ImageDecoder::orientation(&mut decoder)
                .unwrap_or(image::metadata::Orientation::NoTransforms);
            let mut img = image::DynamicImage::from_decoder(decoder)
                .map_err(|_| UploadProblem::Unreadable)?;
            cancel.check()?;
            img.apply_orientation(orientation);
            cancel.check()?;
            let mut out = Cursor::new(Vec::new());
            match kind {
                FileKind::Jpeg => {
                    // Re-encoded from the decoded pixels, copied only if they are not RGB.
                    let converted;
                    let rgb = match img.as_rgb8() {
                        Some(rgb) => rgb,
                        None => {
                            converted = img.to_rgb8();
                            &converted
                        }
                    };
                    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
                        .encode_image(rgb)
                        .map_err(|_| UploadProblem::Unreadable)?;
                }
                _ => img
                    .write_to(&mut out, ImageFormat::Png)
                    .map_err(|_| UploadProblem::Unreadable)?,
            }
            cancel.check()?;
            let thumb = img.thumbnail(240, 240).to_rgb8();
            drop(img);
            let mut thumb_out = Cursor::new(Vec::new());
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut thumb_out, 80)
                .encode_image(&thumb)
                .map_err(|_| UploadProblem::Unreadable)?;
            Ok(Processed {
                kind,
                bytes: out.into_inner(),
                pages: 1,
                thumbnail: Some(thumb_out.into_inner()),
            })
        }
    }
}

/// Bytes of a decoded picture at most (RGBA, 8 bits per channel).
fn decoded_bytes(width: u32, height: u32) -> u64 {
    u64::from(width) * u64::from(height) * 4
}

/// Memory decoding may hold at once, in MiB: with the copies made while re-encoding, the
/// server's memory for uploads stays under about twice this.
pub const DECODING_BUDGET_MIB: u32 = 256;

/// What processing `bytes` may take, in MiB of the budget: the decoded picture for an image
/// (known from its header), a multiple of the file for a PDF (its objects once parsed).
fn cost_mib(bytes: &[u8]) -> u32 {
    let format = match sniff(bytes) {
        Some(FileKind::Jpeg) => ImageFormat::Jpeg,
        Some(FileKind::Png) => ImageFormat::Png,
        Some(FileKind::Pdf) => {
            return (bytes.len() as u64 * 8 / (1024 * 1024) + 1).min(DECODING_BUDGET_MIB as u64)
                as u32
        }
        None => return 1,
    };
    match declared_size(bytes, format) {
        // Refused at once, without waiting for a place.
        Err(_) => 0,
        Ok((w, h)) => {
            (decoded_bytes(w, h) / (1024 * 1024) + 1).min(DECODING_BUDGET_MIB as u64) as u32
        }
    }
}

#[cfg(feature = "ssr")]
mod bounded {
    use std::sync::OnceLock;

    use tokio::sync::Semaphore;

    /// One decoding per core at a time: uploads queue instead of taking every core.
    pub(super) fn workers() -> &'static Semaphore {
        static WORKERS: OnceLock<Semaphore> = OnceLock::new();
        WORKERS.get_or_init(|| {
            Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
        })
    }

    pub(super) fn memory() -> &'static Semaphore {
        static MEMORY: OnceLock<Semaphore> = OnceLock::new();
        MEMORY.get_or_init(|| Semaphore::new(super::DECODING_BUDGET_MIB as usize))
    }
}

/// [`process`] off the async runtime, behind the decoding limits (a place among the cores and
/// the memory the picture needs, read from its header). When the caller goes away (the
/// request timed out, the client left), the work stops at its next step.
#[cfg(feature = "ssr")]
pub async fn process_bounded(bytes: Vec<u8>) -> Result<Result<Processed, UploadProblem>, AppError> {
    let cost = cost_mib(&bytes);
    let _memory = bounded::memory()
        .acquire_many(cost)
        .await
        .map_err(|e| AppError::internal("decoding budget", e))?;
    let _worker = bounded::workers()
        .acquire()
        .await
        .map_err(|e| AppError::internal("decoding workers", e))?;
    struct StopOnDrop(Cancel);
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            (self.0).0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
    let stop = StopOnDrop(Cancel::default());
    let cancel = stop.0.clone();
    let result = tokio::task::spawn_blocking(move || process_until(&bytes, &cancel))
        .await
        .map_err(|e| AppError::internal("upload task", e))?;
    drop(stop);
    Ok(result)
}

// ------------------------------------------------------------------ the pieces store

/// Takes the lock of a demande still in `etat` (a write: concurrent uploads are decided one
/// after the other) and marks it changed; a demande that left that state (validated, sent
/// back) takes no more files.
async fn touch(
    conn: &mut sqlx::AnyConnection,
    demande_id: i64,
    etat: Etat,
    now: i64,
) -> Result<(), AppError> {
    let open = sqlx::query(
        "UPDATE demandes SET updated_at = $1, version = version + 1 WHERE id = $2 AND etat = $3",
    )
    .bind(now)
    .bind(demande_id)
    .bind(etat)
    .execute(conn)
    .await?;
    if open.rows_affected() == 0 {
        return Err(AppError::Conflict(super::demandes::NOT_EDITABLE.into()));
    }
    Ok(())
}

/// Marks a draft changed before its files change (see `touch`).
async fn touch_draft(
    conn: &mut sqlx::AnyConnection,
    demande_id: i64,
    now: i64,
) -> Result<(), AppError> {
    touch(conn, demande_id, Etat::Brouillon, now).await
}

/// The same for a demande waiting for a complement.
async fn touch_complement(
    conn: &mut sqlx::AnyConnection,
    demande_id: i64,
    now: i64,
) -> Result<(), AppError> {
    touch(conn, demande_id, Etat::ComplementDemande, now).await
}

/// Deletes a file deposited for a complement (never a version from before the request).
pub async fn delete_complement_piece(
    db: &Db,
    demande_id: i64,
    piece_id: i64,
    since: i64,
    now: i64,
) -> Result<PieceRow, AppError> {
    let row = get_piece(db, demande_id, piece_id).await?;
    if row.created_at < since {
        return Err(AppError::Conflict(super::demandes::NOT_EDITABLE.into()));
    }
    let mut tx = db.pool().begin().await?;
    touch_complement(&mut tx, demande_id, now).await?;
    sqlx::query("DELETE FROM pieces WHERE id = $1 AND demande_id = $2")
        .bind(piece_id)
        .bind(demande_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row)
}

/// Deletes every file record of a demande (inside the caller's transaction) and returns the
/// stored objects (files and thumbnails) for the caller to remove once it has committed.
pub async fn remove_all(
    conn: &mut sqlx::AnyConnection,
    demande_id: i64,
) -> Result<Vec<String>, AppError> {
    remove_all_of(conn, &[demande_id]).await
}

/// `remove_all` for many demandes: the rows go, the keys of their files are returned (to
/// delete once the transaction is committed).
pub async fn remove_all_of(
    conn: &mut sqlx::AnyConnection,
    demande_ids: &[i64],
) -> Result<Vec<String>, AppError> {
    if demande_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = super::db::id_list(demande_ids);
    let files: Vec<(String, Option<String>)> = sqlx::query_as(&format!(
        "SELECT storage_key, thumb_key FROM pieces WHERE demande_id IN ({list})"
    ))
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(&format!("DELETE FROM pieces WHERE demande_id IN ({list})"))
        .execute(&mut *conn)
        .await?;
    Ok(files
        .into_iter()
        .flat_map(|(key, thumb)| std::iter::once(key).chain(thumb))
        .collect())
}

/// The kinds of the files deposited for a demande.
pub async fn kinds(db: &Db, demande_id: i64) -> Result<Vec<Piece>, AppError> {
    Ok(list_pieces(db, demande_id)
        .await?
        .iter()
        .filter_map(|p| Piece::parse(&p.kind))
        .collect())
}

/// A stored file of a supporting document.
#[derive(Debug, Clone, FromRow)]
pub struct PieceRow {
    pub id: i64,
    pub demande_id: i64,
    pub kind: String,
    pub storage_key: String,
    pub thumb_key: Option<String>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub pages: i64,
    pub created_at: i64,
}

const PIECE_COLUMNS: &str =
    "id, demande_id, kind, storage_key, thumb_key, filename, content_type, size, pages, created_at";

/// The files of a demande (not the versions a complement replaced).
pub async fn list_pieces(db: &Db, demande_id: i64) -> Result<Vec<PieceRow>, AppError> {
    Ok(sqlx::query_as::<_, PieceRow>(&format!(
        "SELECT {PIECE_COLUMNS} FROM pieces WHERE demande_id = $1 AND remplacee_at IS NULL
         ORDER BY kind, id"
    ))
    .bind(demande_id)
    .fetch_all(db.pool())
    .await?)
}

/// The versions a complement replaced (the centre's agents still see them).
pub async fn replaced_pieces(db: &Db, demande_id: i64) -> Result<Vec<PieceRow>, AppError> {
    Ok(sqlx::query_as::<_, PieceRow>(&format!(
        "SELECT {PIECE_COLUMNS} FROM pieces WHERE demande_id = $1 AND remplacee_at IS NOT NULL
         ORDER BY kind, id"
    ))
    .bind(demande_id)
    .fetch_all(db.pool())
    .await?)
}

pub async fn get_piece(db: &Db, demande_id: i64, piece_id: i64) -> Result<PieceRow, AppError> {
    sqlx::query_as::<_, PieceRow>(&format!(
        "SELECT {PIECE_COLUMNS} FROM pieces WHERE demande_id = $1 AND id = $2"
    ))
    .bind(demande_id)
    .bind(piece_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)
}

pub struct NewPiece<'a> {
    pub demande_id: i64,
    /// The new file replaces the files already deposited for this piece.
    pub replace: bool,
    pub kind: &'a str,
    pub storage_key: &'a str,
    pub thumb_key: Option<&'a str>,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub pages: i64,
    /// During a complement: when it was asked. The files from before are the versions being
    /// replaced (kept for the agents); page limits and « replace » count only the new ones.
    pub complement_since: Option<i64>,
}

/// Records a file if the piece stays within `max_pages` (after removing the piece's previous
/// files when it replaces them); returns the pages the piece would have had when it does not
/// (nothing recorded).
pub async fn add_piece(
    db: &Db,
    p: &NewPiece<'_>,
    max_pages: i64,
    now: i64,
) -> Result<Result<(i64, Vec<String>), i64>, AppError> {
    let mut tx = db.pool().begin().await?;
    // A write first: concurrent uploads for one demande are decided one after the other, and
    // a demande validated meanwhile takes no more files.
    match p.complement_since {
        None => touch_draft(&mut tx, p.demande_id, now).await?,
        Some(_) => touch_complement(&mut tx, p.demande_id, now).await?,
    }
    let since = p.complement_since.unwrap_or(i64::MIN);
    let replaced: Vec<(String, Option<String>)> = if p.replace {
        let rows = sqlx::query_as(
            "SELECT storage_key, thumb_key FROM pieces WHERE demande_id = $1 AND kind = $2
             AND created_at >= $3 AND remplacee_at IS NULL",
        )
        .bind(p.demande_id)
        .bind(p.kind)
        .bind(since)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM pieces WHERE demande_id = $1 AND kind = $2 AND created_at >= $3
             AND remplacee_at IS NULL",
        )
        .bind(p.demande_id)
        .bind(p.kind)
        .bind(since)
        .execute(&mut *tx)
        .await?;
        rows
    } else {
        Vec::new()
    };
    let (already,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(pages), 0) AS BIGINT) FROM pieces WHERE demande_id = $1 AND kind = $2
         AND created_at >= $3 AND remplacee_at IS NULL",
    )
    .bind(p.demande_id)
    .bind(p.kind)
    .bind(since)
    .fetch_one(&mut *tx)
    .await?;
    if already + p.pages > max_pages {
        tx.rollback().await?;
        return Ok(Err(already + p.pages));
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO pieces (demande_id, kind, storage_key, thumb_key, filename, content_type, size, pages, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(p.demande_id)
    .bind(p.kind)
    .bind(p.storage_key)
    .bind(p.thumb_key)
    .bind(p.filename)
    .bind(p.content_type)
    .bind(p.size)
    .bind(p.pages)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    // The replaced files' stored objects, for the caller to remove.
    let stale = replaced
        .into_iter()
        .flat_map(|(key, thumb)| std::iter::once(key).chain(thumb))
        .collect();
    Ok(Ok((id, stale)))
}

/// Deletes a file of a draft (never of a validated demande), in one transaction.
pub async fn delete_piece(
    db: &Db,
    demande_id: i64,
    piece_id: i64,
    now: i64,
) -> Result<PieceRow, AppError> {
    let row = get_piece(db, demande_id, piece_id).await?;
    let mut tx = db.pool().begin().await?;
    touch_draft(&mut tx, demande_id, now).await?;
    sqlx::query("DELETE FROM pieces WHERE id = $1 AND demande_id = $2")
        .bind(piece_id)
        .bind(demande_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row)
}

#[cfg(test)]
pub mod samples {
    //! Small files built in memory for tests.

    /// A valid PDF with `n` empty pages.
    pub fn pdf(n: usize) -> Vec<u8> {
        use lopdf::dictionary;
        use lopdf::{Document, Object};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let kids: Vec<Object> = (0..n)
            .map(|_| {
                doc.add_object(dictionary! {
                    "Type" => "Page",
                    "Parent" => pages_id,
                    "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                })
                .into()
            })
            .collect();
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => n as i64 },
            ),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-page PDF carrying every kind of active content the service removes.
    fn pdf_with_active_content() -> Vec<u8> {
        use lopdf::dictionary;
        use lopdf::{Document, Object, Stream};
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let launch = doc.add_object(dictionary! { "S" => "Launch", "F" => "calc.exe" });
        let script = doc.add_object(
            dictionary! { "S" => "JavaScript", "JS" => Object::string_literal("app.alert(1)") },
        );
        let file = doc.add_object(Stream::new(
            dictionary! { "Type" => "EmbeddedFile" },
            b"MZ".to_vec(),
        ));
        let annots: Vec<Object> = vec![
            doc.add_object(dictionary! { "Type" => "Annot", "Subtype" => "Link", "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()], "A" => launch }).into(),
            doc.add_object(dictionary! { "Type" => "Annot", "Subtype" => "RichMedia", "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()], "RichMediaContent" => dictionary! {} }).into(),
            doc.add_object(dictionary! { "Type" => "Annot", "Subtype" => "FileAttachment", "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()], "FS" => dictionary! { "EF" => dictionary! { "F" => file } } }).into(),
        ];
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Annots" => annots,
            "AA" => dictionary! { "O" => script },
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            ),
        );
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
            "OpenAction" => script,
            "AA" => dictionary! { "WC" => script },
            "Names" => dictionary! {
                "JavaScript" => dictionary! { "Names" => vec![Object::string_literal("x"), script.into()] },
                "EmbeddedFiles" => dictionary! { "Names" => vec![Object::string_literal("y"), file.into()] },
            },
            "AcroForm" => dictionary! { "Fields" => Vec::<Object>::new(), "XFA" => file },
        });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn stored_pdfs_carry_no_active_content() {
        let upload = pdf_with_active_content();
        for name in [
            "/OpenAction",
            "/JavaScript",
            "/Launch",
            "/EmbeddedFiles",
            "/RichMedia",
            "/XFA",
            "/AA",
            "/JS",
        ] {
            assert!(
                upload.windows(name.len()).any(|w| w == name.as_bytes()),
                "the sample holds {name}"
            );
        }
        let stored = process(&upload).expect("still a valid PDF");
        assert_eq!(stored.pages, 1);
        for name in [
            "/OpenAction",
            "/JavaScript",
            "/JS",
            "/Launch",
            "/EmbeddedFiles",
            "/EmbeddedFile",
            "/RichMedia",
            "/FileAttachment",
            "/XFA",
            "/AA",
        ] {
            assert!(
                !stored
                    .bytes
                    .windows(name.len())
                    .any(|w| w == name.as_bytes()),
                "{name} left in the stored file"
            );
        }
        // Still readable, the same page.
        let doc = lopdf::Document::load_mem(&stored.bytes).unwrap();
        assert_eq!(doc.get_pages().len(), 1);
    }

    fn jpeg_with_exif() -> Vec<u8> {
        let img =
            image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 120]));
        let mut out = Cursor::new(Vec::new());
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap();
        let plain = out.into_inner();
        // Insert an APP1 "Exif" segment right after SOI, as cameras and phones do.
        let mut exif = vec![0xFF, 0xE1, 0x00, 0x16];
        exif.extend_from_slice(b"Exif\0\0GPS 48.85 2.35\0\0");
        let mut with = plain[..2].to_vec();
        with.extend_from_slice(&exif);
        with.extend_from_slice(&plain[2..]);
        with
    }

    #[test]
    fn types_are_recognised_by_content() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some(FileKind::Pdf));
        assert_eq!(sniff(b"MZ\x90\x00 this is an exe renamed .pdf"), None);
        assert_eq!(
            process(b"MZ\x90\x00 exe").unwrap_err(),
            UploadProblem::NotAllowedType
        );
        assert_eq!(process(b"").unwrap_err(), UploadProblem::Missing);
    }

    #[test]
    fn pdf_metadata_is_removed() {
        let mut doc = lopdf::Document::load_mem(&samples::pdf(1)).unwrap();
        let info = doc.add_object(lopdf::dictionary! { "Author" => lopdf::Object::string_literal("Jean Dupont, 12 rue des Lilas") });
        doc.trailer.set("Info", info);
        let mut with_info = Vec::new();
        doc.save_to(&mut with_info).unwrap();
        assert!(with_info.windows(11).any(|w| w == b"Jean Dupont"));
        let p = process(&with_info).unwrap();
        assert_eq!(p.pages, 1);
        assert!(!p.bytes.windows(11).any(|w| w == b"Jean Dupont"));
        assert!(p.bytes.starts_with(b"%PDF-"));
    }

    #[test]
    fn pdf_pages_are_counted() {
        assert_eq!(process(&samples::pdf(3)).unwrap().pages, 3);
        assert_eq!(process(&samples::pdf(1)).unwrap().pages, 1);
        assert_eq!(
            process(b"%PDF-1.4 garbage").unwrap_err(),
            UploadProblem::Unreadable
        );
    }

    #[test]
    fn work_whose_request_has_gone_stops_at_its_next_step() {
        let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 9]));
        let mut jpeg = Cursor::new(Vec::new());
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&img)
            .unwrap();
        let jpeg = jpeg.into_inner();
        let gone = Cancel::default();
        gone.0.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(process_until(&jpeg, &gone).is_err());
        assert!(process_until(&samples::pdf(1), &gone).is_err());
        // Not cancelled, the same work completes.
        assert!(process_until(&jpeg, &Cancel::default()).is_ok());
    }

    #[test]
    fn a_picture_costs_its_decoded_size_and_a_bomb_costs_nothing_to_refuse() {
        let img = image::RgbImage::from_fn(1_000, 500, |_, _| image::Rgb([1, 2, 3]));
        let mut jpeg = Cursor::new(Vec::new());
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&img)
            .unwrap();
        let mut jpeg = jpeg.into_inner();
        // 1 000 × 500 × 4 bytes: 2 MiB (rounded up).
        assert_eq!(cost_mib(&jpeg), 2);
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        jpeg[sof + 5..sof + 9].copy_from_slice(&[0x2E, 0xDF, 0x2E, 0xDF]); // 11 999 × 11 999
        assert_eq!(cost_mib(&jpeg), 0);
        assert_eq!(process(&jpeg).unwrap_err(), UploadProblem::TooManyPixels);
    }

    #[test]
    fn images_lose_their_metadata_and_get_a_thumbnail() {
        let original = jpeg_with_exif();
        assert!(original.windows(4).any(|w| w == b"Exif"));
        let p = process(&original).unwrap();
        assert_eq!(p.kind, FileKind::Jpeg);
        assert_eq!(p.pages, 1);
        assert!(!p.bytes.windows(4).any(|w| w == b"Exif"), "EXIF removed");
        assert!(!p.bytes.windows(3).any(|w| w == b"GPS"));
        let thumb = image::load_from_memory(p.thumbnail.as_ref().unwrap()).unwrap();
        assert!(thumb.width() <= 240 && thumb.height() <= 240);
    }

    #[test]
    fn oversized_files_are_refused() {
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(crate::domain::upload::MAX_FILE_BYTES + 1, b' ');
        assert_eq!(process(&big).unwrap_err(), UploadProblem::TooBig);
    }
}
