#!/usr/bin/env python3
"""How much room wasm-split had for the constant data (.rodata), read from the WASM files.

    scripts/rodata-margin.py [minimum margin in bytes, default 1024]

wasm-split (cargo-leptos --split, wasm_split_cli_support 0.2.3, emit.rs) lays .rodata out again
for each module, from the symbols each one uses. When the result is longer than the input
segment, it keeps ALL of .rodata in the main module (« Overlong segment … putting it in main
module »: 74 → 207 KB that every visitor downloads). The input's room is what no module uses:
the alignment gaps of the linker and `SPLIT_ROOM` (app/src/lib.rs). This script reads the
unsplit module (its `linking` section: segments and data symbols) and the modules of the last
build (main and chunks: where their data segments end in .rodata), prints the margin, and exits
1 when it is under the minimum, 2 when the fallback happened.
"""
import glob
import os
import sys

FRONT = 'target/front/wasm32-unknown-unknown/wasm-release'
PKG = 'target/site/pkg'


def leb(b, p, signed=False):
    """A LEB128 number at `p`, and where the next one starts."""
    value = shift = 0
    while True:
        x = b[p]
        p += 1
        value |= (x & 0x7F) << shift
        shift += 7
        if x < 0x80:
            if signed and x & 0x40:
                value -= 1 << shift
            return value, p


def uleb(b, p):
    return leb(b, p)


def sections(b):
    """(id, custom name, start of content, end) of each section."""
    p, out = 8, []
    while p < len(b):
        sid = b[p]
        size, p = uleb(b, p + 1)
        start, end, custom = p, p + size, None
        if sid == 0:
            n, q = uleb(b, p)
            custom, start = b[q:q + n].decode('utf-8', 'replace'), q + n
        out.append((sid, custom, start, end))
        p = end
    return out


def data_segments(b):
    """(memory offset or None, length) of each data segment."""
    segs = []
    for sid, _, start, _ in sections(b):
        if sid != 11:
            continue
        n, p = uleb(b, start)
        for _ in range(n):
            flags, p = uleb(b, p)
            offset = None
            if flags in (0, 2):
                if flags == 2:
                    _, p = uleb(b, p)
                assert b[p] == 0x41, 'i32.const expected'
                offset, p = leb(b, p + 1, signed=True)
                p += 1  # end
            length, p = uleb(b, p)
            segs.append((offset, length))
            p += length
    return segs


def rodata_symbols(b):
    """Index of the .rodata segment and (offset, size) of its data symbols."""
    for sid, custom, start, end in sections(b):
        if custom != 'linking':
            continue
        _, p = uleb(b, start)
        names, symbols = [], []
        while p < end:
            kind = b[p]
            length, p = uleb(b, p + 1)
            q, p = p, p + length
            if kind == 5:  # segment info
                n, q = uleb(b, q)
                for _ in range(n):
                    ln, q = uleb(b, q)
                    names.append(b[q:q + ln].decode())
                    _, q = uleb(b, q + ln)  # alignment
                    _, q = uleb(b, q)  # flags
            elif kind == 8:  # symbol table
                n, q = uleb(b, q)
                for _ in range(n):
                    sym_kind = b[q]
                    flags, q = uleb(b, q + 1)
                    undefined = flags & 0x10
                    if sym_kind in (0, 2, 4, 5):
                        _, q = uleb(b, q)
                        if not undefined or flags & 0x40:
                            ln, q = uleb(b, q)
                            q += ln
                    elif sym_kind == 1:
                        ln, q = uleb(b, q)
                        q += ln
                        if not undefined:
                            seg, q = uleb(b, q)
                            off, q = uleb(b, q)
                            size, q = uleb(b, q)
                            symbols.append((seg, off, size))
                    elif sym_kind == 3:
                        _, q = uleb(b, q)
        k = names.index('.rodata')
        return k, [(off, size) for seg, off, size in symbols if seg == k and size]
    sys.exit("rodata-margin: pas de section « linking » dans le module non découpé")


def main():
    minimum = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    unsplit = open(os.path.join(FRONT, 'app.wasm'), 'rb').read()
    k, symbols = rodata_symbols(unsplit)
    base, length = data_segments(unsplit)[k]
    covered = end = 0
    for start, size in sorted(symbols):
        if start + size > end:
            covered += start + size - max(start, end)
            end = start + size
    mains = [f for f in glob.glob(os.path.join(PKG, 'permis.*.wasm'))]
    main_file = max(mains, key=os.path.getmtime)
    built = os.path.getmtime(main_file) - 5
    modules = [main_file] + [
        f for f in glob.glob(os.path.join(PKG, '*.wasm'))
        if os.path.basename(f).startswith(('chunk_', 'split_')) and os.path.getmtime(f) >= built
    ]
    reach = in_main = carriers = 0
    for f in modules:
        got = 0
        for offset, size in data_segments(open(f, 'rb').read()):
            if offset is not None and base <= offset < base + length and size:
                reach = max(reach, offset - base + size)
                got += size
        if f == main_file:
            in_main = got
        elif got:
            carriers += 1
    print(f".rodata : {length} octets (symboles : {covered}) ; module principal {in_main}, "
          f"{carriers} morceaux en portent")
    if carriers == 0 and in_main >= length - 16:
        print("wasm-split a gardé TOUTES les données dans le module principal (« Overlong "
              "segment ») : agrandir SPLIT_ROOM (app/src/lib.rs).", file=sys.stderr)
        sys.exit(2)
    margin = length - reach
    print(f".rodata redisposé : marge de {margin} octets (minimum {minimum})")
    if margin < minimum:
        print(f"La marge de wasm-split est sous {minimum} octets : agrandir SPLIT_ROOM "
              "(app/src/lib.rs) avant qu'un petit changement ne fasse tout garder au module "
              "principal.", file=sys.stderr)
        sys.exit(1)


main()
