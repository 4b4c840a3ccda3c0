#!/bin/sh
# cli.sh - rootwatch's command line (rootwatch(8)): exit codes 0/1/2,
# messages naming the file, stdin, file order, -o, -T, -i, BPF filters and
# --privacy.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
need_rootwatch
need python3

A=$SCEN/kz-qaznet-root-sent.pcap	# www.example.kz, port 44301, alert
B=$SCEN/ru-sub-ca-signature.pcap	# www.example.ru, port 44302
SMTP=$top_srcdir/tests/corpus/pcaps/smtp.pcap	# ports 25 and 443

# jq_py NAME FILE EXPR: EXPR (python, over `ev`, the list of events of
# FILE, and `t(type)`, those of one event_type) must be true.
jq_py() {
	checks=$((checks + 1))
	if python3 - "$2" "$3" >"$T/jq.err" 2>&1 <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def t(kind):
    return [e for e in ev if e.get("event_type") == kind]
ok = eval(sys.argv[2])
if not ok:
    print("false: %s" % sys.argv[2])
    for e in ev[:6]:
        print("  ", json.dumps(e)[:240])
sys.exit(0 if ok else 1)
PY
	then
		pass "$1"
	else
		fail "$1"
		sed 's/^/#   /' "$T/jq.err" >&2
	fi
}

# --- -h, -V, unknown option -------------------------------------------
rw "$T/h" -h
expect_rc "-h" 0
checks=$((checks + 1))
if cat "$T/h.out" "$T/h.err" | grep -q -- "-r" &&
    cat "$T/h.out" "$T/h.err" | grep -qi "usage"; then
	pass "-h prints usage"
else
	fail "-h prints no usage"
fi

rw "$T/v" -V
expect_rc "-V" 0
checks=$((checks + 1))
if grep -Eq '^rootwatch [0-9]+\.[0-9]+' "$T/v.out"; then
	pass "-V prints the version"
else
	fail "-V: $(head -1 "$T/v.out")"
fi

rw "$T/bad" -Z -r "$A"
expect_rc "unknown option" 2
grep_err "unknown option" "usage|-Z|invalid option"
checks=$((checks + 1))
[ ! -s "$T/bad.out" ] && pass "unknown option: no events" ||
    fail "unknown option: events written"

rw "$T/noarg"
expect_rc "no input" 2

# --- input errors -------------------------------------------------------
rw "$T/miss" -r "$T/no-such-file.pcap"
expect_rc "missing file" 1
grep_err "missing file" "no-such-file\\.pcap"

head -c 3000 /dev/urandom >"$T/garbage.pcap"
printf 'not a capture at all\n' | cat - "$T/garbage.pcap" >"$T/garbage2.pcap"
rw "$T/garb" -r "$T/garbage2.pcap"
expect_rc "garbage file" 1
grep_err "garbage file" "garbage2\\.pcap"

# A capture cut inside its last packet: the events decoded before the cut
# are still written, the message names the file and an offset within it.
size=$(wc -c <"$A")
cut=$((size - 10))
head -c "$cut" "$A" >"$T/trunc.pcap"
last=$(python3 - "$A" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
off = last = 24
while off < len(d):
    last = off
    off += 16 + struct.unpack(e + "I", d[off + 8:off + 12])[0]
print(last)
PY
)
rw "$T/trunc" -r "$T/trunc.pcap" -R "$RULES"
expect_rc "truncated capture" 1
grep_err "truncated capture names the file" "trunc\\.pcap"
checks=$((checks + 1))
if grep -Eo '[0-9]+' "$T/trunc.err" | awk -v lo="$last" -v hi="$cut" \
    '$1 >= lo && $1 <= hi { f = 1 } END { exit !f }'; then
	pass "truncated capture: offset in [$last, $cut]"
else
	fail "truncated capture: no offset in [$last, $cut]: $(cat "$T/trunc.err")"
fi
jq_py "truncated capture: earlier events written" "$T/trunc.out" \
    'len(t("tls")) == 1 and [a["rootwatch"]["alert"]["rule_id"] for a in t("alert")] == ["kz-qaznet-2019"]'

# --- stdin, several files, -o -----------------------------------------
rw "$T/file" -r "$A" -R "$RULES"
expect_rc "-r file" 0
rc=0
"$RW" -r - -R "$RULES" <"$A" >"$T/stdin.out" 2>"$T/stdin.err" || rc=$?
out=$T/stdin
expect_rc "-r - (stdin)" 0
jq_py "-r - gives the same events as -r FILE" "$T/stdin.out" \
    '[e["event_type"] for e in ev] == [e["event_type"] for e in [json.loads(l) for l in open("'"$T/file.out"'") if l.strip()]] and len(t("alert")) == 1'

rw "$T/ab" -r "$A" -r "$B" -R "$RULES"
expect_rc "-r A -r B" 0
jq_py "-r A -r B: A's events first" "$T/ab.out" \
    '[e["tls"]["sni"] for e in t("tls")] == ["www.example.kz", "www.example.ru"]'
# Files are replayed in packet time order, not in the order given (A's
# packets are three seconds older than B's); tests/replay.sh has the rest.
rw "$T/ba" -r "$B" -r "$A" -R "$RULES"
expect_rc "-r B -r A" 0
jq_py "-r B -r A: A's (older) events first" "$T/ba.out" \
    '[e["tls"]["sni"] for e in t("tls")] == ["www.example.kz", "www.example.ru"]'

rw "$T/o" -r "$A" -R "$RULES" -o "$T/eve.json"
expect_rc "-o FILE" 0
checks=$((checks + 1))
[ ! -s "$T/o.out" ] && pass "-o: nothing on stdout" || fail "-o: stdout not empty"
jq_py "-o: events in the file" "$T/eve.json" \
    'len(t("tls")) == 1 and len(t("alert")) == 1 and len(t("flow")) == 1'

# --- -T: check config and rules -----------------------------------------
rw "$T/tgood" -T -R "$RULES"
expect_rc "-T good rules" 0
rw "$T/tgood2" -T -R "$RULES" -R "$SCEN/untrusted.yaml"
expect_rc "-T good rules (two files)" 0

cat >"$T/badrules.yaml" <<'YAML'
- id: test-rule
  name: A rule with a typo
  severity: high
  bogus-key: 1
YAML
rw "$T/tbad" -T -R "$T/badrules.yaml"
expect_rc "-T rules with an unknown key" 1
grep_err "-T rules with an unknown key" "badrules\\.yaml:4:3"

printf -- '- id: x\n  name: [ unclosed\n' >"$T/broken.yaml"
rw "$T/tbroken" -T -R "$T/broken.yaml"
expect_rc "-T broken YAML rules" 1
grep_err "-T broken YAML rules" "broken\\.yaml:[0-9]+:[0-9]+"

rw "$T/tmissing" -T -R "$T/nonexistent-rules.yaml"
expect_rc "-T missing rules file" 1
grep_err "-T missing rules file" "nonexistent-rules\\.yaml"

printf 'flow:\n  max: 100\n  maxx: 5\n' >"$T/badconf.yaml"
rw "$T/tconf" -T -c "$T/badconf.yaml" -R "$RULES"
expect_rc "-T bad config" 1
grep_err "-T bad config" "badconf\\.yaml:3:3: unknown key flow\\.maxx"

rw "$T/tmissing2" -T -R "$T/nonexistent-rules.yaml"
checks=$((checks + 1))
grep -q 'nonexistent-rules\.yaml:1:1' "$T/tmissing2.err" &&
    fail "-T missing rules file: a meaningless :1:1" ||
    pass "-T missing rules file: no line:column"

# Every problem of a config in one -T run, each file:line:column.
printf 'flow:\n  max: x\n  maxx: 5\nreassembly: { depth: 1q }\nbogus: 1\n' \
    >"$T/badconf2.yaml"
rw "$T/tconf3" -T -c "$T/badconf2.yaml" -R "$RULES"
expect_rc "-T config with four problems" 1
grep_err "-T four problems: 1" "badconf2\.yaml:2:8: max: not a number"
grep_err "-T four problems: 2" "badconf2\.yaml:3:3: unknown key flow\.maxx"
grep_err "-T four problems: 3" "badconf2\.yaml:4:22: depth: bad suffix"
grep_err "-T four problems: 4" "badconf2\.yaml:5:1: unknown key bogus"

# Paths in a config resolve against its directory, not the current one.
mkdir -p "$T/confdir"
cp "$RULES" "$T/confdir/local-rules.yaml"
for p in "$(dirname "$RULES")"/*.pem; do cp "$p" "$T/confdir/"; done
printf 'rules: [ local-rules.yaml ]\n' >"$T/confdir/rel.yaml"
rw "$T/trel" -T -c "$T/confdir/rel.yaml"
expect_rc "-T config naming rules beside it (run from elsewhere)" 0
printf 'rules: [ not-here.yaml ]\n' >"$T/confdir/rel2.yaml"
rw "$T/trel2" -T -c "$T/confdir/rel2.yaml"
expect_rc "-T config naming a missing rules file" 1
grep_err "-T missing rules file beside the config" \
    "confdir/not-here\.yaml: No such file"

# A tab, an unquoted '- ': libyaml's message plus a hint.
printf 'flow:\n\tmax: 5\n' >"$T/tab.yaml"
rw "$T/ttab" -T -c "$T/tab.yaml" -R "$RULES"
expect_rc "-T config with a tab" 1
grep_err "-T config with a tab" "tab\.yaml:2:1: .*hint: a tab"

printf 'flow: { max: 100 }\noutput: { pem: true }\n' >"$T/goodconf.yaml"
rw "$T/tconf2" -T -c "$T/goodconf.yaml" -R "$RULES"
expect_rc "-T good config" 0

# --- live capture errors ----------------------------------------------
rw "$T/ir" -i lo -r "$SCEN/kz-qaznet-root-sent.pcap"
expect_rc "-i with -r" 2
grep_err "-i with -r" "-r and -i together"
rw "$T/if" -i nosuchif0
expect_rc "-i nosuchif0" 2
grep_err "-i nosuchif0" "nosuchif0"
checks=$((checks + 1))
n=$(wc -l <"$T/if.err")
[ "$n" -eq 1 ] && pass "-i nosuchif0: one line" ||
    fail "-i nosuchif0: $n lines on stderr"

# --- BPF expression -----------------------------------------------------
rw "$T/bpf0" -r "$A" -r "$B" -R "$RULES" port 44302
expect_rc "BPF port 44302" 0
jq_py "BPF port 44302: only that flow" "$T/bpf0.out" \
    'len(t("tls")) == 1 and all(e.get("dest_port") == 44302 for e in ev if "dest_port" in e) and [a["rootwatch"]["alert"]["rule_id"] for a in t("alert")] != [] and all(a["rootwatch"]["alert"]["rule_id"].startswith("ru-") for a in t("alert"))'
rw "$T/bpf1" -r "$A" -R "$RULES" "tcp and port 1"
expect_rc "BPF matching nothing" 0
jq_py "BPF matching nothing: no tls, flow or alert" "$T/bpf1.out" \
    'not t("tls") and not t("flow") and not t("alert")'
rw "$T/bpfbad" -r "$A" -R "$RULES" "port port port"
expect_rc "bad BPF expression" 2
if [ -f "$SMTP" ]; then
	rw "$T/smtp" -r "$SMTP" -R "$RULES"
	jq_py "smtp.pcap: ports 25 and 443 without a filter" "$T/smtp.out" \
	    '{e["dest_port"] for e in t("flow")} >= {25, 443}'
	rw "$T/smtp25" -r "$SMTP" -R "$RULES" port 25
	jq_py "smtp.pcap, port 25: only port 25 flows" "$T/smtp25.out" \
	    't("flow") and all(25 in (e.get("src_port"), e.get("dest_port")) for e in ev if "dest_port" in e)'
fi

# --- --privacy ------------------------------------------------------------
PRIV=$SMTP
[ -f "$PRIV" ] || PRIV=$A
rw "$T/nopriv" -r "$PRIV" -R "$RULES"
rw "$T/priv" -r "$PRIV" -R "$RULES" --privacy
expect_rc "--privacy" 0
jq_py "--privacy: no src_ip field" "$T/priv.out" \
    'ev and all("src_ip" not in e for e in ev)'
checks=$((checks + 1))
if python3 - "$T/nopriv.out" "$T/priv.out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
clients = {e["src_ip"] for e in ev if "src_ip" in e}
servers = {e["dest_ip"] for e in ev if "dest_ip" in e}
text = open(sys.argv[2]).read()
leak = [c for c in clients - servers if '"%s"' % c in text]
if not clients or leak:
    print("clients %r, leaked %r" % (sorted(clients), leak))
    sys.exit(1)
PY
then
	pass "--privacy: no client address anywhere"
else
	fail "--privacy: client address written"
fi

# --- --pem and --cert-dedup -------------------------------------------------
REPEAT=$top_srcdir/tests/corpus/pcaps/google-cert-repeat.pcap
[ -f "$REPEAT" ] || REPEAT=$A
rw "$T/pem" -r "$A" -R "$RULES" --pem
expect_rc "--pem" 0
checks=$((checks + 1))
if python3 - "$T/pem.out" <<'PY'
import base64, hashlib, json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
tls = [e for e in ev if e["event_type"] == "tls"]
certs = [c for e in tls for c in e["rootwatch"]["tls"]["chain"]]
assert certs, "no certificates"
for c in certs:
    pem = c["pem"]
    assert pem.startswith("-----BEGIN CERTIFICATE-----\n"), pem[:40]
    body = "".join(l for l in pem.splitlines() if not l.startswith("-----"))
    assert hashlib.sha256(base64.b64decode(body)).hexdigest() == c["sha256"]
# EVE's tls.certificate and tls.chain: base64 DER, leaf first
for e in tls:
    rw = [c["sha256"] for c in e["rootwatch"]["tls"]["chain"]]
    eve = [hashlib.sha256(base64.b64decode(b)).hexdigest()
           for b in e["tls"]["chain"]]
    assert eve == rw, (eve, rw)
    assert e["tls"]["certificate"] == e["tls"]["chain"][0]
PY
then
	pass "--pem: every certificate's PEM decodes to its sha256"
else
	fail "--pem"
fi
rw "$T/full" -r "$REPEAT" -R "$RULES"
rw "$T/dedup" -r "$REPEAT" -R "$RULES" --cert-dedup
expect_rc "--cert-dedup" 0
checks=$((checks + 1))
if python3 - "$T/full.out" "$T/dedup.out" <<'PY'
import json, sys
def chains(path):
    ev = [json.loads(l) for l in open(path) if l.strip()]
    return [c for e in ev if e["event_type"] == "tls"
            for c in e["rootwatch"]["tls"].get("chain", [])]
full, dedup = chains(sys.argv[1]), chains(sys.argv[2])
assert [c["sha256"] for c in full] == [c["sha256"] for c in dedup]
seen = set()
for c in dedup:
    if c["sha256"] in seen:
        assert c.get("dedup") is True and "subject" not in c, c
    else:
        assert "subject" in c and "dedup" not in c, c
        seen.add(c["sha256"])
assert len(seen) < len(dedup), "capture has no repeated certificate"
PY
then
	pass "--cert-dedup: each certificate in full once, then by sha256"
else
	fail "--cert-dedup"
fi

# --- the same capture as pcap, nanosecond pcap and pcapng ---------------------
# (pcapng goes through libpcap, the classic formats through the zero-copy
# reader: every event but the stats line must be identical)
rw "$T/fmt-pcap" -r "$A" -R "$RULES"
for v in "$SCEN/kz-qaznet-root-sent.pcapng" "$SCEN/kz-qaznet-root-sent-nsec.pcap"; do
	rw "$T/fmt" -r "$v" -R "$RULES"
	checks=$((checks + 1))
	if [ "$rc" -eq 0 ] && [ -s "$T/fmt.out" ] &&
	    [ "$(grep -v '"event_type":"stats"' "$T/fmt.out")" = \
	      "$(grep -v '"event_type":"stats"' "$T/fmt-pcap.out")" ]; then
		pass "$(basename "$v"): same events as the pcap"
	else
		fail "$(basename "$v"): events differ from the pcap"
	fi
done

# --- caps: a flow table of 2 evicts, says so, and loses no event -------------
if [ -f "$SMTP" ]; then
	printf 'flow: { max: 2 }\n' >"$T/tiny.yaml"
	rw "$T/capfull" -r "$SMTP" -R "$RULES"
	rw "$T/captiny" -r "$SMTP" -R "$RULES" -c "$T/tiny.yaml"
	expect_rc "flow.max 2" 0
	checks=$((checks + 1))
	if grep -q "flow table full: [1-9][0-9]* flows evicted" "$T/captiny.err" &&
	    [ "$(grep -c '"event_type":"tls"' "$T/captiny.out")" = \
	      "$(grep -c '"event_type":"tls"' "$T/capfull.out")" ] &&
	    grep -q '"evicted":[1-9]' "$T/captiny.out"; then
		pass "flow table cap: evictions logged and counted, no tls event lost"
	else
		fail "flow table cap"; cat "$T/captiny.err" >&2
	fi
fi

# --- the EVE-named leaf fields agree with the chain ---------------------------
checks=$((checks + 1))
if python3 - "$T/pem.out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
e = [e for e in ev if e["event_type"] == "tls"][0]
t, leaf = e["tls"], e["rootwatch"]["tls"]["chain"][0]
pairs = lambda h: ":".join(h[i:i + 2] for i in range(0, len(h), 2))
assert t["fingerprint"] == pairs(leaf["sha1"]), t["fingerprint"]
# the DER INTEGER's content: a 00 sign byte before a high first byte
ser = leaf["serial"]
ser = "00" + ser if int(ser[0], 16) >= 8 else ser
assert t["serial"] == pairs(ser), (t["serial"], leaf["serial"])
# certificate order, ", " (RFC 4514 strings are reversed; these names
# have no escaped characters)
eve_name = lambda rfc: ", ".join(reversed(rfc.split(",")))
assert t["subject"] == eve_name(leaf["subject"]), t["subject"]
assert t["issuerdn"] == eve_name(leaf["issuer"]), t["issuerdn"]
assert t["notbefore"] == leaf["not_before"][:19]
assert t["notafter"] == leaf["not_after"][:19]
PY
then
	pass "tls: EVE leaf fields (subject, issuerdn, serial, fingerprint, dates)"
else
	fail "tls: EVE leaf fields"
fi

# --- --format: ECS lines, the same events; unknown formats refused ------------
rw "$T/ecs" -r "$A" -R "$RULES" --format ecs
expect_rc "--format ecs" 0
jq_py "--format ecs: @timestamp, ecs.version, the alert as rule.id" "$T/ecs.out" \
    'all("@timestamp" in e and e["ecs"]["version"] == "9.4.0" and "timestamp" not in e for e in ev) and [e["rule"]["id"] for e in ev if e["event"]["kind"] == "alert"] == ["kz-qaznet-2019"] and [e["event"]["dataset"] for e in ev].count("rootwatch.tls") == 1'
rw "$T/eve2" -r "$A" -R "$RULES" --format eve
jq_py "--format eve: the default's events" "$T/eve2.out" \
    'len(t("tls")) == 1 and len(t("alert")) == 1'
rw "$T/badfmt" -r "$A" --format cef
expect_rc "--format cef" 2
grep_err "--format cef" "unknown format"

finish
