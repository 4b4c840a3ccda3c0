#!/bin/sh
# report.sh - rootwatch-report in a browser: bundles from a replay (the
# captures of tests/field.sh) plus one hand-made bundle whose manifest
# carries markup, rendered by headless Chromium (Debian's chromium): the
# page renders, its screenshot is not blank, its text names the server
# names and the roots, and the markup stays text.  Skips (77) without
# chromium.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3
REPORT=$top_builddir/report/rootwatch-report
[ -x "$REPORT" ] || { echo "SKIP: $REPORT not built" >&2; exit 77; }
CHROMIUM=
for c in chromium chromium-browser; do
	command -v "$c" >/dev/null 2>&1 && CHROMIUM=$c && break
done
[ -n "$CHROMIUM" ] || { echo "SKIP: no chromium" >&2; exit 77; }

RA="python3 $top_srcdir/tests/field/readdress.py"
$RA "$SCEN/kz-qaznet-root-sent.pcap" "$T/a.pcap" 44301 10.20.30.40 \
    192.0.2.10 02:aa:bb:cc:dd:01 02:00:5e:00:00:10 0
$RA "$SCEN/ru-sub-ca-signature.pcap" "$T/c.pcap" 44302 10.20.30.42 \
    198.51.100.7 02:aa:bb:cc:dd:03 02:00:5e:00:00:10 240
rw "$T/rw" -q -R "$RULES" --privacy --evidence "$T/ev" -r "$T/a.pcap" \
    -r "$T/c.pcap"
expect_rc "rootwatch --evidence" 0

# A bundle someone edited: markup in the server name and a rule name.
mkdir -p "$T/ev/20990101T000000Z-x"
printf '%s\n' 'rootwatch-evidence: 1' 'bundle: 20990101T000000Z-x' \
    'first_seen: 2099-01-01T00:00:00.000000Z' \
    'last_seen: 2099-01-01T00:00:00.000000Z' 'repeats: 0' \
    'sni: <script>alert(1)</script>evil.example' \
    "alert: x	<img src=x onerror=alert(2)>Root	high	fingerprint	0	cert_sha256	00" \
    >"$T/ev/20990101T000000Z-x/manifest.txt"

rc=0
"$REPORT" -o "$T/report" "$T/ev" >"$T/report.log" 2>&1 || rc=$?
expect_rc "rootwatch-report" 0
check "HTML and Markdown written" test -s "$T/report.html" -a -s "$T/report.md"
check "no external asset, no script" python3 - "$T/report.html" <<'PY'
import html.parser, sys
class Tags(html.parser.HTMLParser):
    bad = []
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "link", "iframe", "object", "embed") or \
                any(k in ("src", "href") or k.startswith("on")
                    for k, _ in attrs):
            self.bad.append((tag, attrs))
t = Tags()
page = open(sys.argv[1]).read()
t.feed(page)
sys.exit(bool(t.bad) or "@import" in page or "url(" in page)
PY
check "Markdown names the services" grep -q 'www.example.kz' "$T/report.md"

url="file://$T/report.html"
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --screenshot="$T/shot.png" --window-size=1200,1600 "$url" \
    >"$T/chromium.log" 2>&1
check "Chromium screenshot" test -s "$T/shot.png"
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --dump-dom \
    "$url" >"$T/dom.html" 2>>"$T/chromium.log"
check "screenshot not blank" python3 - "$T/shot.png" <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n"
off, idat = 8, b""
while off < len(d):
    n, kind = struct.unpack(">I4s", d[off:off + 8])
    if kind == b"IDAT":
        idat += d[off + 8:off + 8 + n]
    off += 12 + n
raw = zlib.decompress(idat)
common = max(set(raw[:200000]), key=raw[:200000].count)
other = sum(1 for b in raw if b != common) / len(raw)
print("%d bytes, %d values, %.3f not the background" %
      (len(raw), len(set(raw)), other))
sys.exit(not (len(set(raw)) > 32 and other > 0.01))
PY
check "rendered text names SNIs and roots" python3 - "$T/dom.html" <<'PY'
import html.parser, sys
class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.t, self.tags = [], []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
    def handle_data(self, d):
        self.t.append(d)
p = Text()
p.feed(open(sys.argv[1]).read())
text = " ".join(p.t)
want = ["www.example.kz", "www.example.ru", "Qaznet Trust Network",
        "Russian Trusted Root CA", "<script>alert(1)</script>evil.example",
        "<img src=x onerror=alert(2)>Root"]
miss = [w for w in want if w not in text]
bad = [t for t in p.tags if t in ("script", "img")]
print("missing %r, active tags %r" % (miss, bad))
sys.exit(bool(miss or bad))
PY
echo "# $checks checks, $failures failures" >&2
[ "$failures" -eq 0 ]
