// JSON, text and fix-script forms of a Diagnosis.
#include "diagnosisreport.h"

#include "diagnose/checklist.h"
#include "diagnose/fixes.h"
#include "diagnose/shellquote.h"
#include "report/comparereport.h"
#include "report/jsonwriter.h"
#include "util/textformat.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <algorithm>

namespace ikev2wb {

namespace {

void writeRef(JsonWriter &w, const EvidenceRef &r)
{
    w.key("ref").beginObject();
    if (!r.source.isEmpty()) w.field("source", r.source);
    if (r.packet >= 0) w.field("packet", r.packet);
    if (r.timeNs >= 0) w.key("time").time(r.timeNs);
    if (r.hasSpi) w.key("spi").spi(r.spi);
    if (!r.counter.isEmpty()) w.field("counter", r.counter);
    if (!r.logLine.isEmpty()) {
        w.field("log_line", r.logLine);
        if (r.line > 0) w.field("line", r.line);
    }
    w.endObject();
}

void writeEvidence(JsonWriter &w, const std::vector<EvidenceItem> &items)
{
    w.key("evidence").beginArray();
    for (const EvidenceItem &e : items) {
        w.beginObject().field("text", e.text);
        writeRef(w, e.ref);
        w.endObject();
    }
    w.endArray();
}

void writeStrings(JsonWriter &w, std::string_view key, const QStringList &list)
{
    w.key(key).beginArray();
    for (const QString &s : list)
        w.value(s);
    w.endArray();
}

/// `key`: `value` when `known`, else null.
void writeCountOrNull(JsonWriter &w, std::string_view key, bool known, std::uint64_t value)
{
    w.key(key);
    if (known)
        w.value(value);
    else
        w.null();
}

void writeFixes(JsonWriter &w, const std::vector<Fix> &fixes)
{
    w.key("fixes").beginArray();
    for (const Fix &f : fixes) {
        w.beginObject()
            .field("kind", fixKindName(f.kind))
            .field("title", f.title)
            .field("text", f.text)
            .field("changes", f.changes)
            .field("tradeoff", f.tradeoff)
            .field("verify", f.verify)
            .field("undo", f.undo)
            .endObject();
    }
    w.endArray();
}

QString refText(const EvidenceRef &r)
{
    QStringList parts;
    if (r.packet >= 0) parts << QStringLiteral("packet %1").arg(r.packet);
    if (r.timeNs >= 0) parts << utcText(r.timeNs, UtcFormat::TimeOfDay);
    if (r.hasSpi) parts << QStringLiteral("SPI ") + spiText(r.spi);
    if (!r.counter.isEmpty()) parts << r.counter;
    if (!r.logLine.isEmpty()) parts << QStringLiteral("line %1: %2").arg(r.line).arg(r.logLine.trimmed());
    if (parts.isEmpty()) return {};
    QString src = r.source;
    const qsizetype slash = src.lastIndexOf(QLatin1Char('/'));
    if (slash >= 0) src = src.mid(slash + 1);
    return QStringLiteral(" [%1%2]").arg(src.isEmpty() ? QString() : src + QStringLiteral(": "),
                                         parts.join(QStringLiteral(", ")));
}

QString indent(const QString &text, const QString &prefix)
{
    QString out;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (i == lines.size() - 1 && lines[i].isEmpty()) break;
        out += prefix + lines[i] + QLatin1Char('\n');
    }
    return out;
}

QString statusWord(StepStatus s)
{
    switch (s) {
    case StepStatus::Pass:
        return QStringLiteral("PASS");
    case StepStatus::NotEnoughEvidence:
        return QStringLiteral("NOT ENOUGH EVIDENCE");
    case StepStatus::Warn:
        return QStringLiteral("WARN");
    case StepStatus::Fail:
        return QStringLiteral("FAIL");
    }
    return {};
}

/// The file a config snippet goes into.
QString configFile(FixKind k)
{
    switch (k) {
    case FixKind::Swanctl:
        return QStringLiteral("/etc/swanctl/swanctl.conf (or a file in /etc/swanctl/conf.d/)");
    case FixKind::IpsecConf:
        return QStringLiteral("/etc/ipsec.conf");
    case FixKind::StrongswanConf:
        return QStringLiteral("/etc/strongswan.conf (or a file in /etc/strongswan.d/)");
    case FixKind::ClientSettings:
        return QStringLiteral("the VPN client's settings (not a file on this host)");
    default:
        return {};
    }
}

/// Comment lines for the fix script: every line flattened by oneLine(), so no control character
/// (a newline from an evidence value, a carriage return, an escape sequence) ends the comment or
/// reaches the terminal.
QString commentBlock(const QString &text)
{
    QString out;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (i == lines.size() - 1 && lines[i].isEmpty()) break;
        out += QStringLiteral("# ") + oneLine(lines[i], 100000) + QLatin1Char('\n');
    }
    return out;
}

/// A heredoc delimiter no line of `texts` equals: random per script, so text from evidence
/// cannot end a heredoc early.
QString heredocDelimiter(const QStringList &texts)
{
    for (;;) {
        const QString d = QStringLiteral("IKEV2WB_EOF_%1")
                              .arg(QRandomGenerator::system()->generate64(), 16, 16, QLatin1Char('0'));
        const bool clash = std::any_of(texts.begin(), texts.end(), [&](const QString &t) {
            return t.split(QLatin1Char('\n')).contains(d);
        });
        if (!clash) return d;
    }
}

/// The `<placeholders>` a shell fix would run with (outside comments): such a fix refuses to run
/// until the engineer has put the real value in.
QStringList shellPlaceholders(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("<[A-Za-z][A-Za-z0-9 _-]*>"));
    QStringList out;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        if (line.trimmed().startsWith(QLatin1Char('#'))) continue;
        for (auto it = re.globalMatch(line); it.hasNext();) {
            const QString m = it.next().captured();
            if (!out.contains(m)) out << m;
        }
    }
    return out;
}

} // namespace

void writeDiagnosisJson(JsonWriter &w, const Diagnosis &d)
{
    w.beginObject();
    w.field("schema", "ikev2wb.diagnosis/1");
    writeStrings(w, "inputs", d.inputs);
    w.key("top_cause");
    if (d.findings.empty())
        w.null();
    else
        w.value(d.findings.front().cause);
    w.key("steps").beginArray();
    for (const ChecklistStep &s : d.steps) {
        w.beginObject()
            .field("number", s.number)
            .field("title", s.title)
            .field("status", stepStatusName(s.status));
        w.key("confidence").value(s.confidence, 2);
        writeStrings(w, "causes", s.causes);
        writeEvidence(w, s.evidence);
        writeStrings(w, "collect_next", s.collectNext);
        writeFixes(w, s.fixes);
        w.endObject();
    }
    w.endArray();
    w.key("findings").beginArray();
    int rank = 0;
    for (const Finding &f : d.findings) {
        w.beginObject()
            .field("rank", ++rank)
            .field("cause", f.cause)
            .field("step", f.step)
            .field("title", f.title)
            .field("status", stepStatusName(f.status));
        w.key("confidence").value(f.confidence, 2);
        writeEvidence(w, f.evidence);
        writeStrings(w, "collect_next", f.collectNext);
        writeFixes(w, f.fixes);
        w.endObject();
    }
    w.endArray();
    writeStrings(w, "notes", d.notes);
    writePeerTunnelJson(w, d.peerTunnel);
    writePeerTunnelJson(w, d.ownTunnel);
    const DiagnosisBasis &b = d.basis;
    w.key("assumptions").beginObject();
    w.field("replay_window", std::uint64_t(b.replayWindow))
        .field("replay_window_assumed", b.replayWindowAssumed)
        .field("replay_window_basis", b.replayWindowBasis);
    writeCountOrNull(w, "replay_window_drops", b.replayEmulated, b.replayDrops);
    w.key("replay_windows").beginArray();
    for (const DirectionReplayWindow &rw : b.replayWindows) {
        w.beginObject()
            .field("from", rw.from)
            .field("to", rw.to)
            .field("receiver", rw.receiver)
            .field("window", std::uint64_t(rw.window))
            .field("assumed", rw.assumed)
            .field("basis", rw.basis);
        writeCountOrNull(w, "drops", rw.emulated, rw.drops);
        w.endObject();
    }
    w.endArray();
    w.key("nat_udp_timeout_s").value(b.natUdpTimeoutS, 1);
    w.field("nat_udp_timeout_assumed", b.natUdpTimeoutAssumed)
        .field("nat_udp_timeout_basis", b.natUdpTimeoutBasis);
    w.endObject();
    w.key("path_mtu").beginObject();
    w.key("value");
    if (b.pathMtu)
        w.value(std::uint64_t(b.pathMtu));
    else
        w.null();
    w.field("source", b.pathMtuSource).field("text", b.pathMtuText).field("refine", b.pathMtuRefine);
    w.endObject();
    w.key("pair_directions").beginArray();
    for (const PairDirectionTotals &t : d.pairDirections) {
        w.beginObject()
            .field("from", t.from == 0 ? "A" : "B")
            .field("to", t.from == 0 ? "B" : "A")
            .field("from_address", t.fromAddress)
            .field("to_address", t.toAddress)
            .field("sent", t.sent)
            .field("received", t.received)
            .field("lost_in_transit", t.lostInTransit);
        w.key("loss_percent").value(t.lossPercent(), 3);
        w.field("capture_drops", t.captureDrops)
            .field("outside_span", t.outsideSpan)
            .field("reordered", t.reordered)
            .field("duplicated", t.duplicated)
            .field("ike_sent", t.ikeSent)
            .field("ike_lost", t.ikeLost);
        w.key("clock_offset_s");
        if (t.clockOffsetS)
            w.value(*t.clockOffsetS, 9);
        else
            w.null();
        w.key("clock_error_s");
        if (t.clockOffsetS)
            w.value(t.clockErrorS, 9);
        else
            w.null();
        w.endObject();
    }
    w.endArray();
    w.endObject();
}

std::string diagnosisJson(const Diagnosis &d, bool pretty)
{
    JsonWriter w(pretty);
    writeDiagnosisJson(w, d);
    return w.take() + '\n';
}

QString fixText(const Fix &f)
{
    QString out;
    out += QStringLiteral("[%1] %2\n").arg(QString::fromLatin1(fixKindName(f.kind)), f.title);
    if (!fixIsShell(f.kind)) out += QStringLiteral("# in %1\n").arg(configFile(f.kind));
    out += f.text;
    if (!f.text.endsWith(QLatin1Char('\n'))) out += QLatin1Char('\n');
    out += QStringLiteral("changes:   %1\n").arg(f.changes);
    out += QStringLiteral("trade-off: %1\n").arg(f.tradeoff);
    out += QStringLiteral("verify:    %1\n").arg(f.verify);
    out += QStringLiteral("undo:      %1\n").arg(f.undo);
    return out;
}

QString diagnosisText(const Diagnosis &d)
{
    QString out;
    out += QStringLiteral("Diagnosis of %1\n\n").arg(d.inputs.join(QStringLiteral(" + ")));
    if (d.findings.empty() || d.findings.front().status == StepStatus::Pass) {
        out += QStringLiteral("No cause of loss found.\n\n");
    } else {
        const Finding &top = d.findings.front();
        out += QStringLiteral("Most likely cause: %1 (%2, confidence %3)\n  %4\n\n")
                   .arg(top.cause, QString::fromLatin1(stepStatusName(top.status)))
                   .arg(top.confidence, 0, 'f', 2)
                   .arg(top.title);
    }
    out +=
        QStringLiteral("Path MTU: %1\n  measure it: %2\n\n").arg(d.basis.pathMtuText, d.basis.pathMtuRefine);
    out += QStringLiteral("Checklist\n");
    for (const ChecklistStep &s : d.steps) {
        out += QStringLiteral("%1. %2: %3 (confidence %4)\n")
                   .arg(s.number)
                   .arg(s.title, statusWord(s.status))
                   .arg(s.confidence, 0, 'f', 2);
        for (const EvidenceItem &e : s.evidence)
            out += QStringLiteral("   - %1%2\n").arg(e.text, refText(e.ref));
        for (const QString &c : s.collectNext)
            out += QStringLiteral("   collect next: %1\n").arg(c);
    }
    if (!d.findings.empty()) {
        out += QStringLiteral("\nFindings, most likely first\n");
        int rank = 0;
        for (const Finding &f : d.findings) {
            out += QStringLiteral("%1. %2 [step %3, %4, confidence %5]: %6\n")
                       .arg(++rank)
                       .arg(f.cause)
                       .arg(f.step)
                       .arg(QString::fromLatin1(stepStatusName(f.status)))
                       .arg(f.confidence, 0, 'f', 2)
                       .arg(f.title);
            for (const EvidenceItem &e : f.evidence)
                out += QStringLiteral("   - %1%2\n").arg(e.text, refText(e.ref));
            for (const QString &c : f.collectNext)
                out += QStringLiteral("   collect next: %1\n").arg(c);
            for (const Fix &x : f.fixes)
                out += QLatin1Char('\n') + indent(fixText(x), QStringLiteral("     "));
            out += QLatin1Char('\n');
        }
    }
    for (const QString &n : d.notes)
        out += QStringLiteral("note: %1\n").arg(n);
    return out;
}

// Design of the script: nothing runs by default. Each fix is a pair of functions (describe_N
// prints what it changes, the trade-off, how to verify and undo it; fix_N runs the commands
// or, for configuration snippets, prints the snippet and the file it belongs in — config files
// are merged by hand). Run without arguments, the script only lists the fixes; `script N ...`
// shows each chosen fix and asks "apply? [y/N]" before running it. A reviewer thus picks every
// change to a live gateway deliberately, and an accidental `bash fixes.sh` changes nothing.
QString fixScript(const Diagnosis &d)
{
    std::vector<const Fix *> fixes;
    std::vector<QString> causes;
    for (const Finding &f : d.findings)
        for (const Fix &x : f.fixes) {
            const bool dup = std::any_of(fixes.begin(), fixes.end(), [&](const Fix *y) {
                return y->kind == x.kind && y->title == x.title && y->text == x.text;
            });
            if (!dup) {
                fixes.push_back(&x);
                causes.push_back(f.cause);
            }
        }
    QStringList bodies;
    for (const Fix *f : fixes)
        bodies << f->title << f->text << f->changes << f->tradeoff << f->verify << f->undo;
    const QString eof = heredocDelimiter(bodies);
    QString s;
    s += QStringLiteral("#!/usr/bin/env bash\n"
                        "# Fixes proposed by `ikev2wb diagnose`");
    if (!d.inputs.isEmpty()) {
        QStringList inputs;
        for (const QString &i : d.inputs)
            inputs << oneLine(i, 300);
        s += QStringLiteral(" for: %1").arg(inputs.join(QStringLiteral(", ")));
    }
    s += QStringLiteral(
        "\n#\n"
        "# Review before use. Nothing in this file runs by itself:\n"
        "#   ./THIS_SCRIPT          lists the fixes\n"
        "#   ./THIS_SCRIPT N [M..]  shows fix N (what it changes, trade-off, verify, undo) and asks\n"
        "#                          for confirmation before running it\n"
        "# A fix that still holds a <placeholder> (a value the evidence did not give, or gave in a\n"
        "# form that was refused) does not run: put the real value in and delete its guard line.\n"
        "# Configuration snippets (swanctl.conf, ipsec.conf, strongswan.conf) are only printed:\n"
        "# merge them into the named file by hand, then apply them as the fix says.\n");
    for (const QString &n : d.notes)
        s += QStringLiteral("# note: %1\n").arg(oneLine(n, 100000));
    s += QStringLiteral("set -euo pipefail\n\n");
    for (std::size_t i = 0; i < fixes.size(); ++i) {
        const Fix &f = *fixes[i];
        const int n = int(i) + 1;
        s +=
            QStringLiteral("# ---------------------------------------------------------------- fix %1 (%2)\n")
                .arg(n)
                .arg(causes[i]);
        s += commentBlock(QStringLiteral("[%1] %2").arg(QString::fromLatin1(fixKindName(f.kind)), f.title));
        s += commentBlock(QStringLiteral("changes:   ") + f.changes);
        s += commentBlock(QStringLiteral("trade-off: ") + f.tradeoff);
        s += commentBlock(QStringLiteral("verify:    ") + f.verify);
        s += commentBlock(QStringLiteral("undo:      ") + f.undo);
        s += QStringLiteral("describe_%1() {\n    cat <<'%2'\n").arg(n).arg(eof);
        s += QStringLiteral("[%1] %2\nchanges:   %3\ntrade-off: %4\nverify:    %5\nundo:      %6\n")
                 .arg(QString::fromLatin1(fixKindName(f.kind)), oneLine(f.title, 100000),
                      oneLine(f.changes, 100000), oneLine(f.tradeoff, 100000), oneLine(f.verify, 100000),
                      oneLine(f.undo, 100000));
        s += eof + QStringLiteral("\n}\n");
        s += QStringLiteral("fix_%1() {\n").arg(n);
        const QStringList ph = shellPlaceholders(f.text);
        if (fixIsShell(f.kind)) {
            if (!ph.isEmpty())
                s += QStringLiteral("    echo %1 >&2; return 1\n")
                         .arg(shq(QStringLiteral("fix %1 still holds %2: put the real values into fix_%1 in "
                                                 "this script and delete this guard line")
                                      .arg(n)
                                      .arg(ph.join(QStringLiteral(", ")))));
            s += QStringLiteral("    :\n") + indent(f.text, QStringLiteral("    "));
        } else {
            // shq: the file's description may hold a quote ("the VPN client's settings").
            s += QStringLiteral("    echo %1\n    cat <<'%2'\n")
                     .arg(shq(QStringLiteral("Merge this into %1:").arg(configFile(f.kind))), eof);
            s += f.text;
            if (!f.text.endsWith(QLatin1Char('\n'))) s += QLatin1Char('\n');
            s += eof + QStringLiteral("\n");
            if (!ph.isEmpty())
                s += QStringLiteral("    echo %1\n")
                         .arg(shq(QStringLiteral("Replace %1 with the real values first.")
                                      .arg(ph.join(QStringLiteral(", ")))));
        }
        s += QStringLiteral("}\n\n");
    }
    s += QStringLiteral("COUNT=%1\n").arg(fixes.size());
    s += QStringLiteral(
        "if [ \"$#\" -eq 0 ]; then\n"
        "    echo \"$COUNT fix(es); run $0 N to review and apply fix N:\"\n"
        "    for n in $(seq 1 \"$COUNT\"); do\n"
        "        printf '  %s. ' \"$n\"; \"describe_$n\" | head -n 1\n"
        "    done\n"
        "    exit 0\n"
        "fi\n"
        "for n in \"$@\"; do\n"
        "    if ! [[ \"$n\" =~ ^[0-9]+$ ]] || [ \"$n\" -lt 1 ] || [ \"$n\" -gt \"$COUNT\" ]; then\n"
        "        echo \"no fix '$n' (1..$COUNT)\" >&2\n"
        "        exit 2\n"
        "    fi\n"
        "    \"describe_$n\"\n"
        "    read -r -p \"Apply fix $n? [y/N] \" answer\n"
        "    case \"$answer\" in\n"
        "        y|Y|yes) \"fix_$n\" ;;\n"
        "        *) echo \"fix $n skipped\" ;;\n"
        "    esac\n"
        "done\n");
    return s;
}

} // namespace ikev2wb
