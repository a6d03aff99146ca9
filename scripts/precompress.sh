#!/usr/bin/env bash
# After `cargo leptos build`: a brotli (quality 11) and a gzip (level 9) copy of each text or
# WASM file of the built site, kept when smaller. The server sends them as they are to the
# browsers that take them (`Content-Encoding`), instead of compressing at each request.
set -euo pipefail
cd "$(dirname "$0")/.."
SITE=${LEPTOS_SITE_ROOT:-target/site}
node -e '
  const fs = require("fs"), path = require("path"), zlib = require("zlib");
  const exts = new Set([".js", ".wasm", ".css", ".svg", ".html", ".json", ".txt", ".ttf", ".ico"]);
  let files = 0, raw = 0, br = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) { walk(p); continue; }
      if (!exts.has(path.extname(p))) continue;
      const data = fs.readFileSync(p);
      const b = zlib.brotliCompressSync(data, { params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
      const g = zlib.gzipSync(data, { level: 9 });
      for (const [ext, out] of [[".br", b], [".gz", g]]) {
        if (out.length < data.length) fs.writeFileSync(p + ext, out);
        else fs.rmSync(p + ext, { force: true });
      }
      files++; raw += data.length; br += Math.min(b.length, data.length);
    }
  };
  walk(process.argv[1]);
  console.log(`précompression : ${files} fichiers, ${raw} octets, ${br} en brotli`);
' "$SITE"
