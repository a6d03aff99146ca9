//! Upload decoding is bounded: a picture that declares too many pixels is refused from its
//! header, and big pictures uploaded at once keep the server's memory under a bound.

use std::io::Cursor;
use std::time::{Duration, Instant};

use app::domain::upload::UploadProblem;
use app::server::pieces;

use crate::common::filing::{new_demande, upload};
use crate::common::memory;
use crate::common::{TestApp, SCHOOL_PASSWORD};

/// A JPEG of `width` × `height` pixels (a gradient, like a photo it compresses poorly).
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x ^ y) % 239) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .unwrap();
    out.into_inner()
}

/// The same JPEG with its frame header (SOF0) claiming another size: what a decoder would
/// allocate before finding the data missing.
fn claiming(mut bytes: Vec<u8>, width: u16, height: u16) -> Vec<u8> {
    let sof = bytes
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline JPEG");
    bytes[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    bytes
}

#[tokio::test]
async fn a_picture_claiming_too_many_pixels_is_refused_before_decoding() {
    // 1.7 MB on disk, 11 999 × 11 999 pixels declared (432 MB once decoded).
    let mut bomb = claiming(jpeg(640, 480), 11_999, 11_999);
    bomb.resize(1_700_000, 0);
    let start = Instant::now();
    assert_eq!(
        pieces::process(&bomb).unwrap_err(),
        UploadProblem::TooManyPixels
    );
    // Read from the header: not a pixel decoded (the decoding took 9 to 15 s of CPU).
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    // A picture within the limits is accepted.
    assert_eq!(pieces::process(&jpeg(640, 480)).unwrap().pages, 1);

    // The school sees why, on the piece it was sending.
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &token).await;
    let res = upload(&app, &token, id, "identite", "photo.jpg", &bomb).await;
    let location = res.header("location").unwrap().to_string();
    assert!(
        location.contains("erreur=dimensions&piece=identite"),
        "{location}"
    );
    let page = app.get(&location, Some(&token)).await;
    assert!(
        page.body.contains("Cette image est trop grande"),
        "{}",
        page.body
    );
}

const CHILD: &str = "PERMIS_TEST_DECODING_CHILD";

/// Eight 24-megapixel photos (6 000 × 4 000: 92 MiB each once decoded) processed at once, in
/// a process of its own so that its peak memory is theirs alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "run by parallel_big_uploads_keep_memory_bounded, in a process of its own"]
async fn child_processes_big_pictures_at_once() {
    if std::env::var(CHILD).is_err() {
        return;
    }
    let photo = jpeg(6_000, 4_000);
    // The peak so far (making the photo) is forgotten.
    memory::reset_peak();
    let before = memory::peak_mib();
    let tasks: Vec<_> = (0..8)
        .map(|_| tokio::spawn(pieces::process_bounded(photo.clone())))
        .collect();
    for task in tasks {
        let processed = task.await.unwrap().unwrap().unwrap();
        assert_eq!(processed.kind, pieces::FileKind::Jpeg);
    }
    println!("memoire-avant={before} pic={}", memory::peak_mib());
}

#[test]
fn parallel_big_uploads_keep_memory_bounded() {
    let numbers = memory::run_child(
        "decoding::child_processes_big_pictures_at_once",
        CHILD,
        "memoire-avant=",
    );
    let (before, peak) = (numbers[0], numbers[1]);
    eprintln!("décodage de 8 photos de 24 Mpx à la fois : {before} Mio avant, pic {peak} Mio");
    // The decoding budget (256 MiB of decoded pixels at once) and the copies made while
    // re-encoding: at most 1.5 times the budget above where the process was.
    let bound = before + pieces::DECODING_BUDGET_MIB as u64 * 3 / 2;
    assert!(
        peak <= bound,
        "pic {peak} Mio, au plus {bound} Mio attendus ({before} Mio avant)"
    );
}
