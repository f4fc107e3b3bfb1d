#include "commands.h"
#include "report/analysisreport.h"
#include "report/diagnosisreport.h"
#include "report/probereport.h"

#include "report/pdf/pdfreport.h"

#include "analyze/analysis.h"
#include "compare/endpointcompare.h"
#include "diagnose/checklist.h"
#include "diagnose/fixes.h"
#include "evidence/collector.h"
#include "evidence/evidenceset.h"
#include "filter/displayfilter.h"
#include "index/indexbuilder.h"
#include "probe/pathprobe.h"
#include "report/capturesummary.h"
#include "report/comparereport.h"
#include "report/evidencereport.h"
#include "report/jsonwriter.h"
#include "report/outputfile.h"
#include "util/textformat.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>

#include <csignal>
#include <cstdio>

namespace ikev2wb::cli {

namespace {

// Everything the commands print passes here: text quoted from captures, file names and host
// evidence reaches the terminal with its control characters written visibly (terminalText); the
// JSON documents hold none (JsonWriter escapes them), so they pass unchanged.
void writeOut(const std::string &s)
{
    const std::string safe = terminalText(s);
    std::fwrite(safe.data(), 1, safe.size(), stdout);
}
void writeOut(const QString &s)
{
    writeOut(s.toStdString());
}
void writeErr(const QString &s)
{
    const QByteArray b = terminalText(s).toUtf8();
    std::fwrite(b.constData(), 1, std::size_t(b.size()), stderr);
}

/// Splits arguments into positional ones and known flags; unknown flags are a usage error.
struct Parsed
{
    QStringList positional;
    bool json = false;
    QString error;
};

Parsed parse(const QStringList &args, const QStringList &allowedFlags)
{
    Parsed p;
    for (const QString &a : args) {
        if (a.startsWith(QLatin1String("--"))) {
            if (!allowedFlags.contains(a)) {
                p.error = QStringLiteral("unknown option %1").arg(a);
                return p;
            }
            if (a == QLatin1String("--json")) p.json = true;
        } else {
            p.positional << a;
        }
    }
    return p;
}

/// Every OPTION VALUE / OPTION=VALUE taken out of `args`, the values in order into `values`.
/// False with `error` set to `missing` when OPTION is the last argument (no value follows).
bool takeValues(QStringList &args, const QString &option, QStringList &values, const QString &missing,
                QString &error)
{
    QStringList rest;
    const QString withValue = option + QLatin1Char('=');
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == option) {
            if (i + 1 >= args.size()) {
                error = missing;
                return false;
            }
            values << args[++i];
        } else if (a.startsWith(withValue)) {
            values << a.mid(withValue.size());
        } else {
            rest << a;
        }
    }
    args = rest;
    return true;
}

/// --threads N / --threads=N (summary, packets, analyze), taken out of `args`. 1 (the default):
/// libpcap reads on the thread that dissects and analyses, no reader thread
/// (CaptureReader::setReaderThread): on a gateway the other core is busy, so CPU time is what a
/// run costs, and the thread's copy and hand-over cost 10-20 % more of it. 2: libpcap on a
/// thread of its own, for a machine with a second core idle, where it shortens the wall time
/// (bench/RESULTS.md, session 11). Anything else is a usage error.
struct Threads
{
    bool readerThread = false;
    QString error;
};
Threads takeThreads(QStringList &args)
{
    Threads t;
    QStringList values;
    if (!takeValues(args, QStringLiteral("--threads"), values,
                    QStringLiteral("--threads needs a number (1 or 2)"), t.error))
        return t;
    for (const QString &value : values) {
        if (value == QLatin1String("1")) {
            t.readerThread = false;
        } else if (value == QLatin1String("2")) {
            t.readerThread = true;
        } else {
            t.error = QStringLiteral("--threads takes 1 or 2, not \"%1\"").arg(value);
            return t;
        }
    }
    return t;
}

/// --tunnel ADDR[,ADDR] / --tunnel=ADDR[,ADDR] (and --peer-tunnel), taken out of `args`: the
/// one tunnel of a capture holding several that is read (TunnelScope). False with `error` set
/// when the value is missing or not one or two IP addresses, or the option is given twice.
bool takeTunnel(QStringList &args, const QString &option, TunnelScope &scope, QString &error)
{
    QStringList values;
    const QString missing =
        QStringLiteral("%1 needs the tunnel's peer address (ADDR or ADDR,ADDR)").arg(option);
    if (!takeValues(args, option, values, missing, error)) return false;
    if (values.size() > 1) {
        error = QStringLiteral("%1 is given twice").arg(option);
        return false;
    }
    if (values.isEmpty()) return true;
    if (values.front().startsWith(QLatin1String("--"))) { // the next option, not an address
        error = missing;
        return false;
    }
    QString why;
    const auto parsed = TunnelScope::parse(values.front(), &why);
    if (!parsed) {
        error = QStringLiteral("%1: %2").arg(option, why);
        return false;
    }
    scope = *parsed;
    return true;
}

/// Says on stderr what a scoped read left out (a tunnel without IKE or ESP in the capture is
/// among the index's warnings).
void noteScope(const CaptureIndex &index, const QString &prefix = {})
{
    if (!index.scope.active()) return;
    const std::uint64_t out = index.count(PacketKind::OutOfScope);
    writeErr(
        QStringLiteral("ikev2wb: note: %1%2 of %3 packets are outside the tunnel %4 and not analysed\n")
            .arg(prefix, QString::number(out), QString::number(index.packetCount()), index.scope.text()));
}

/// Reads one capture: a file, a folder, or several files read as one capture (a ring). What
/// reading a set noted (files skipped, gaps, overlaps) goes to stderr too.
std::unique_ptr<CaptureIndex> load(const QStringList &paths, int &exitCode, bool readerThread,
                                   IndexContents contents = IndexContents::Records,
                                   const TunnelScope &scope = {})
{
    QString error;
    auto index = loadCapture(paths, &error, {}, nullptr, contents, nullptr, readerThread, scope);
    if (!index) {
        writeErr(QStringLiteral("ikev2wb: %1\n").arg(error));
        exitCode = ExitBadInput;
        return nullptr;
    }
    for (const QString &n : index->set.notes)
        writeErr(QStringLiteral("ikev2wb: note: %1\n").arg(n));
    noteScope(*index);
    exitCode = ExitOk;
    return index;
}

/// A partial read still prints what was read, then reports the corruption on stderr.
int finishWith(const CaptureIndex &index)
{
    if (index.partial && !index.warnings.empty()) {
        writeErr(QStringLiteral("ikev2wb: %1\n").arg(index.warnings.front().message));
        return ExitBadInput;
    }
    return ExitOk;
}

} // namespace

void printUsage(bool toStderr)
{
    const QString text = QStringLiteral(
        "usage: ikev2wb COMMAND [options]\n"
        "\n"
        "Finds out why traffic inside IKEv2/IPsec tunnels gets lost.\n"
        "\n"
        "commands:\n"
        "  summary FILE... [--json] [--threads N]\n"
        "                          packets by kind, endpoints, ESP SAs, IKE SAs and exchanges\n"
        "  packets FILE... [--json] [--filter EXPR] [--threads N]\n"
        "                          one line (or JSON object) per packet; with --filter only the\n"
        "                          packets a Wireshark-syntax display filter selects\n"
        "  analyze FILE... [--json] [--progress] [--threads N]\n"
        "                          ESP sequence/anti-replay, IKE exchanges, NAT-T and MTU analysis\n"
        "                          (--progress: percent read and packets so far on stderr)\n"
        "                          FILE...: one capture file, a folder, or several files read as ONE\n"
        "                          capture (a ring of files by tcpdump, dumpcap or editcap), in the order\n"
        "                          of their first packet; a missing file of the ring is not loss\n"
        "  compare A B [--json]    the two tunnel ends' captures side by side: loss in transit,\n"
        "                          capture drops, duplicates, reordering, clock offset, delay\n"
        "                          (A, B: a file or a folder; or --a FILE... --b FILE...: several\n"
        "                          files per side, each side read as one capture)\n"
        "  evidence PATH... [--json]  host evidence in files or folders (a collect folder, a lab\n"
        "                          stats/ folder): kinds, key counters, before/after deltas, charon\n"
        "                          log events by kind\n"
        "  collect [--out DIR]     gather host evidence from this machine into DIR (keys and\n"
        "                          secrets redacted; MANIFEST.txt says what failed and why)\n"
        "  diagnose --capture A... [--peer-capture B...] [--evidence PATH ...] [--json] [--fix-script FILE]\n"
        "                          the six-step checklist: ranked causes with evidence and fixes\n"
        "                          (B: the peer's capture; A, B: a file, a folder or several files of\n"
        "                          one capture; PATH: collect folders, stats/, logs);\n"
        "                          PATH is matched to A or B by the addresses it names; say it\n"
        "                          with --evidence-a PATH... / --evidence-b PATH... or A=PATH, B=PATH;\n"
        "                          --fix-script writes every fix into one reviewed bash script;\n"
        "                          [--pdf FILE]: the report as PDF (verdict, checklist, fixes, SAs,\n"
        "                          plots; no display needed)\n"
        "                          [--replay-window N] [--nat-timeout S]: the receiver's anti-replay\n"
        "                          window and the NAT's UDP timeout to assume where the evidence\n"
        "                          does not name them (defaults 32 packets, 30 s)\n"
        "  probe HOST [--json] [--proto icmp|udp] [--port N] [--min N] [--max N] [--tries N]\n"
        "        [--timeout S] [-6]  measure the path MTU to HOST: DF-set probes in a binary\n"
        "                          search; says whether PMTUD works or where it black-holes\n"
        "                          (ICMP needs ping_group_range or CAP_NET_RAW; UDP needs neither)\n"
        "  capture -i IFACE -w FILE.pcapng [-f BPF] [--duration S] [--count N] [--snaplen N]\n"
        "        [--ring FILES --size MB]  (ring: FILE_00001.pcapng ... of MB each, the last FILES kept)\n"
        "        [--ssh USER@HOST [--peer-iface IFACE] [--peer-w FILE] [--peer-tool helper|tcpdump]\n"
        "         [--peer-helper PATH] [--ssh-option KEY=VALUE]...]\n"
        "                                  also capture on the peer gateway over ssh, started and\n"
        "                                  stopped together (FILE-peer.pcapng; exit 5: unreachable)\n"
        "                          live capture through the helper ikev2wb-capture (it alone holds\n"
        "                          CAP_NET_RAW/CAP_NET_ADMIN); Ctrl-C ends it cleanly; prints the\n"
        "                          packets and what the capture itself dropped\n"
        "\n"
        "options:\n"
        "  --json                  machine-readable output (fields documented in README.md)\n"
        "  --threads N             summary, packets, analyze: 1 (default) reads and analyses on one\n"
        "                          thread (least CPU time); 2 reads the file on a second thread\n"
        "                          (shorter wall time when a second core is idle, more CPU time)\n"
        "  --tunnel ADDR[,ADDR]    summary, packets, analyze, compare (A), diagnose (--capture): read\n"
        "                          only the tunnel with ADDR (or between the two), as the capture\n"
        "                          shows its address, out of a capture holding several (a hub's);\n"
        "                          the rest is counted, not analysed; packet numbers stay the file's\n"
        "  --peer-tunnel ADDR[,ADDR]  the same for compare's B and diagnose's --peer-capture\n"
        "  --help                  this text\n"
        "  --version               program, Qt and libpcap versions\n"
        "\n"
        "exit status: 0 success, 2 usage error, 3 unreadable or corrupt input (capture: the capture\n"
        "failed, e.g. no such interface or an invalid filter), 4 probe or capture could not run\n"
        "(no permission, unknown host, no route), 130 probe interrupted (partial result shown)\n");
    if (toStderr)
        writeErr(text);
    else
        writeOut(text);
}

int usageError(const QString &message)
{
    writeErr(QStringLiteral("ikev2wb: usage error: %1\n").arg(message));
    printUsage(true);
    return ExitUsage;
}

int summary(const QStringList &argList)
{
    QStringList args = argList;
    const Threads threads = takeThreads(args);
    if (!threads.error.isEmpty()) return usageError(threads.error);
    TunnelScope scope;
    QString scopeError;
    if (!takeTunnel(args, QStringLiteral("--tunnel"), scope, scopeError)) return usageError(scopeError);
    const Parsed p = parse(args, {QStringLiteral("--json")});
    if (!p.error.isEmpty()) return usageError(p.error);
    if (p.positional.isEmpty())
        return usageError(
            QStringLiteral("summary needs a capture file (or a folder or several files of one capture)"));
    int rc = ExitOk;
    // The summary is made of the index's tables: no per-packet records.
    auto index = load(p.positional, rc, threads.readerThread, IndexContents::TablesOnly, scope);
    if (!index) return rc;
    const CaptureSummary s = summarize(*index);
    if (p.json)
        writeOut(summaryJson(*index, s));
    else
        writeOut(summaryText(*index, s));
    return finishWith(*index);
}

int packets(const QStringList &argList)
{
    QStringList args = argList;
    const Threads threads = takeThreads(args);
    if (!threads.error.isEmpty()) return usageError(threads.error);
    TunnelScope scope;
    QString scopeError;
    if (!takeTunnel(args, QStringLiteral("--tunnel"), scope, scopeError)) return usageError(scopeError);
    // --filter EXPR / --filter=EXPR: a display filter (README, "Display filters").
    QStringList rest;
    QString filterText;
    bool haveFilter = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("--filter")) {
            if (i + 1 >= args.size())
                return usageError(QStringLiteral("--filter needs a display filter expression"));
            filterText = args[++i];
            haveFilter = true;
        } else if (a.startsWith(QLatin1String("--filter="))) {
            filterText = a.mid(9);
            haveFilter = true;
        } else {
            rest << a;
        }
    }
    const Parsed p = parse(rest, {QStringLiteral("--json")});
    if (!p.error.isEmpty()) return usageError(p.error);
    if (p.positional.isEmpty())
        return usageError(
            QStringLiteral("packets needs a capture file (or a folder or several files of one capture)"));
    FilterError filterError;
    const DisplayFilter filter = DisplayFilter::compile(filterText, &filterError);
    if (haveFilter && !filter.isValid()) {
        // The expression, and a caret under the place the error names.
        writeErr(QStringLiteral("ikev2wb: invalid filter: %1\n  %2\n  %3%4\n")
                     .arg(filterError.toString(), filterText, QString(filterError.position, u' '),
                          QString(std::max(1, filterError.length), u'^')));
        return ExitUsage;
    }
    int rc = ExitOk;
    auto index = load(p.positional, rc, threads.readerThread, IndexContents::Records, scope);
    if (!index) return rc;
    const FilterEvaluator selected(filter, *index);
    std::string buf;
    buf.reserve(1 << 20);
    for (std::size_t i = 0; i < index->packetCount(); ++i) {
        // Outside the tunnel: not listed; the others keep their numbers in the file.
        if (scope.active() && index->packets[i].kind == PacketKind::OutOfScope) continue;
        if (!selected.matches(i)) continue;
        if (p.json) {
            JsonWriter w;
            writePacketJson(w, *index, i);
            buf += w.str();
        } else {
            buf += packetText(*index, i).toStdString();
        }
        buf += '\n';
        if (buf.size() > (1 << 20) - 4096) {
            writeOut(buf);
            buf.clear();
        }
    }
    writeOut(buf);
    return finishWith(*index);
}

int analyze(const QStringList &argList)
{
    QStringList args = argList;
    const Threads threads = takeThreads(args);
    if (!threads.error.isEmpty()) return usageError(threads.error);
    TunnelScope scope;
    QString scopeError;
    if (!takeTunnel(args, QStringLiteral("--tunnel"), scope, scopeError)) return usageError(scopeError);
    const Parsed p = parse(args, {QStringLiteral("--json"), QStringLiteral("--progress")});
    if (!p.error.isEmpty()) return usageError(p.error);
    if (p.positional.isEmpty())
        return usageError(
            QStringLiteral("analyze needs a capture file (or a folder or several files of one capture)"));
    // Analysed during the read: no per-packet records (read again with them where that cannot
    // give the same result, see loadAndAnalyzeCapture).
    QString error;
    // --progress: the share of the bytes read and the packets so far on stderr, once per percent.
    ProgressFn progress;
    int shown = -1;
    if (args.contains(QLatin1String("--progress")))
        progress = [&shown](std::int64_t done, std::int64_t total, std::uint64_t packets) {
            const int percent = total > 0 ? int(std::min<std::int64_t>(100, done * 100 / total)) : 0;
            if (percent == shown) return;
            shown = percent;
            writeErr(QStringLiteral("ikev2wb: read %1 %, %2 packets\n").arg(percent).arg(packets));
        };
    AnalyzedCapture read =
        loadAndAnalyzeCapture(p.positional, &error, progress, nullptr, threads.readerThread, scope);
    if (!read.index) {
        writeErr(QStringLiteral("ikev2wb: %1\n").arg(error));
        return ExitBadInput;
    }
    const CaptureIndex *index = read.index.get();
    for (const QString &n : index->set.notes)
        writeErr(QStringLiteral("ikev2wb: note: %1\n").arg(n));
    noteScope(*index);
    const CaptureAnalysis &a = read.analysis;
    if (p.json)
        writeOut(analysisJson(*index, a));
    else
        writeOut(analysisText(*index, a));
    return finishWith(*index);
}

int compare(const QStringList &argList)
{
    // compare A B (each a file or a folder), or compare --a FILE... --b FILE... (each side one or
    // more files or folders read as one capture).
    QStringList args = argList;
    CompareOptions options;
    QString scopeError;
    if (!takeTunnel(args, QStringLiteral("--tunnel"), options.scope[0], scopeError) ||
        !takeTunnel(args, QStringLiteral("--peer-tunnel"), options.scope[1], scopeError))
        return usageError(scopeError);
    bool json = false;
    QStringList positional, side[2];
    int current = -1; // the side --a / --b collects paths for
    for (const QString &a : args) {
        if (a == QLatin1String("--json")) {
            json = true;
            current = -1;
        } else if (a == QLatin1String("--a") || a == QLatin1String("--b")) {
            current = a == QLatin1String("--a") ? 0 : 1;
        } else if (a.startsWith(QLatin1String("--"))) {
            return usageError(QStringLiteral("unknown option %1").arg(a));
        } else if (current >= 0) {
            side[current] << a;
        } else {
            positional << a;
        }
    }
    if (!side[0].isEmpty() || !side[1].isEmpty() || args.contains(QLatin1String("--a")) ||
        args.contains(QLatin1String("--b"))) {
        if (!positional.isEmpty())
            return usageError(
                QStringLiteral("compare takes either A B or --a FILE... --b FILE..., not both"));
        if (side[0].isEmpty() || side[1].isEmpty())
            return usageError(QStringLiteral("compare needs --a FILE... and --b FILE... (one or more each)"));
    } else if (positional.size() != 2) {
        return usageError(QStringLiteral(
            "compare takes exactly two captures (files or folders), or --a FILE... --b FILE..."));
    } else {
        side[0] << positional.at(0);
        side[1] << positional.at(1);
    }
    CompareResult result;
    QString error;
    if (!compareCaptureFiles(side[0], side[1], result, &error, options)) {
        writeErr(QStringLiteral("ikev2wb: %1\n").arg(error));
        return ExitBadInput;
    }
    for (int s = 0; s < 2; ++s)
        for (const QString &n : result.side[s].set.notes)
            writeErr(QStringLiteral("ikev2wb: note: %1: %2\n").arg(QLatin1String(s == 0 ? "A" : "B"), n));
    if (json)
        writeOut(compareJson(result));
    else
        writeOut(compareText(result));
    return ExitOk;
}

int evidence(const QStringList &args)
{
    const Parsed p = parse(args, {QStringLiteral("--json")});
    if (!p.error.isEmpty()) return usageError(p.error);
    if (p.positional.isEmpty())
        return usageError(QStringLiteral("evidence takes one or more files or folders"));
    EvidenceSet set;
    int rc = ExitOk;
    for (const QString &path : p.positional) {
        QString error;
        if (!set.addPath(path, &error)) {
            writeErr(QStringLiteral("ikev2wb: %1\n").arg(error));
            rc = ExitBadInput;
        }
    }
    if (p.json) {
        JsonWriter w(true);
        writeEvidenceJson(w, set);
        writeOut(w.str() + '\n');
    } else {
        writeOut(evidenceText(set));
    }
    for (const EvidenceFile &f : set.files())
        if (!f.status.ok()) {
            writeErr(QStringLiteral("ikev2wb: %1\n").arg(f.status.error));
            rc = ExitBadInput;
        }
    return rc;
}

int collect(const QStringList &args)
{
    CollectOptions options;
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--out") && i + 1 < args.size())
            options.outDir = args[++i];
        else if (args[i] == QLatin1String("--out"))
            return usageError(QStringLiteral("--out needs a folder"));
        else
            return usageError(QStringLiteral("collect does not take '%1'").arg(args[i]));
    }
    const CollectResult r = collectEvidence(options);
    if (!r.ok()) {
        writeErr(QStringLiteral("ikev2wb: %1\n").arg(r.error));
        return ExitBadInput;
    }
    int collected = 0;
    for (const CollectItem &i : r.items) {
        if (i.ok)
            ++collected;
        else
            writeErr(QStringLiteral("ikev2wb: not collected: %1: %2\n").arg(i.source, i.note));
    }
    writeOut(QStringLiteral("collected %1 of %2 sources into %3 (see MANIFEST.txt)\n")
                 .arg(collected)
                 .arg(r.items.size())
                 .arg(r.outDir));
    return ExitOk;
}

int diagnose(const QStringList &argList)
{
    DiagnosisFiles files;
    QStringList args = argList;
    QString scopeError;
    if (!takeTunnel(args, QStringLiteral("--tunnel"), files.scopeA, scopeError) ||
        !takeTunnel(args, QStringLiteral("--peer-tunnel"), files.scopeB, scopeError))
        return usageError(scopeError);
    bool json = false;
    QString scriptPath;
    QString pdfPath;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        auto next = [&](QString &into) {
            if (i + 1 >= args.size() || args[i + 1].startsWith(QLatin1String("--"))) return false;
            into = args[++i];
            return true;
        };
        if (a == QLatin1String("--json")) {
            json = true;
        } else if (a == QLatin1String("--capture") || a == QLatin1String("--peer-capture")) {
            // One or more files or folders up to the next option: one capture (a ring of files).
            QStringList &into = a == QLatin1String("--capture") ? files.captureA : files.captureB;
            int n = 0;
            while (i + 1 < args.size() && !args[i + 1].startsWith(QLatin1String("--"))) {
                into << args[++i];
                ++n;
            }
            if (n == 0) return usageError(QStringLiteral("%1 needs a capture file or folder").arg(a));
        } else if (a == QLatin1String("--fix-script")) {
            if (!next(scriptPath)) return usageError(QStringLiteral("--fix-script needs a file name"));
        } else if (a == QLatin1String("--pdf")) {
            if (!next(pdfPath)) return usageError(QStringLiteral("--pdf needs a file name"));
        } else if (a == QLatin1String("--replay-window")) {
            // Assumed receiver window; the evidence's (ip xfrm state, replay_window) wins over it.
            QString v;
            bool ok = false;
            const uint n = next(v) ? v.toUInt(&ok) : 0;
            if (!ok || n > (1u << 20))
                return usageError(
                    QStringLiteral("--replay-window needs a window size in packets (0 to 1048576)"));
            files.assumptions.replayWindow = n;
            files.assumptions.replayWindowFrom = QStringLiteral("command line");
        } else if (a == QLatin1String("--nat-timeout")) {
            QString v;
            bool ok = false;
            const double s = next(v) ? v.toDouble(&ok) : 0;
            if (!ok || s <= 0 || s > 86400)
                return usageError(
                    QStringLiteral("--nat-timeout needs a NAT UDP timeout in seconds (1 to 86400)"));
            files.assumptions.natUdpTimeoutS = s;
            files.assumptions.natUdpTimeoutFrom = QStringLiteral("command line");
        } else if (a == QLatin1String("--evidence") || a == QLatin1String("--evidence-a") ||
                   a == QLatin1String("--evidence-b")) {
            // One or more paths up to the next option. --evidence-a / -b (or A=PATH / B=PATH)
            // say which capture's endpoint the evidence describes; plain paths are matched to
            // the captures by the addresses they name.
            int n = 0;
            while (i + 1 < args.size() && !args[i + 1].startsWith(QLatin1String("--"))) {
                const QString &p = args[++i];
                if (a == QLatin1String("--evidence-a") || p.startsWith(QLatin1String("A=")))
                    files.evidenceA << (a == QLatin1String("--evidence-a") ? p : p.mid(2));
                else if (a == QLatin1String("--evidence-b") || p.startsWith(QLatin1String("B=")))
                    files.evidenceB << (a == QLatin1String("--evidence-b") ? p : p.mid(2));
                else
                    files.evidence << p;
                ++n;
            }
            if (n == 0) return usageError(QStringLiteral("%1 needs a file or folder").arg(a));
        } else {
            return usageError(QStringLiteral("diagnose does not take '%1'").arg(a));
        }
    }
    if (files.captureA.isEmpty()) return usageError(QStringLiteral("diagnose needs --capture FILE"));
    if (files.scopeB.active() && files.captureB.isEmpty())
        return usageError(QStringLiteral("--peer-tunnel scopes the --peer-capture: give one"));
    // Below kRecordsUpToBytes of capture files, each file is read once with its records kept
    // (tens of MiB at most). Above, the captures are analysed (and compared) during their one
    // read without per-packet records, which also notes what the diagnosis cites from single
    // packets (a packet number, the suite's ESP lengths, the reordering replay windows are
    // judged by): hundreds of MiB saved at millions of packets. Where one pass cannot give the
    // records' result (clock stepping back, numbers wrapping past 2^32, a ring missing a file)
    // that side is read again with records (loadAndAnalyzeCapture()): below the limit it need
    // not be. The PDF report keeps the records: its charts draw every packet.
    constexpr qint64 kRecordsUpToBytes = qint64(512) << 20;
    qint64 captureBytes = 0;
    for (const CapturePaths *side : {&files.captureA, &files.captureB})
        for (const QString &p : *side) {
            const QFileInfo fi(p);
            captureBytes += fi.isDir() ? kRecordsUpToBytes : fi.size(); // a folder: a ring, large
        }
    files.contents = pdfPath.isEmpty() && captureBytes > kRecordsUpToBytes ? IndexContents::TablesOnly
                                                                           : IndexContents::Records;
    Investigation loaded;
    QString error;
    if (!diagnoseFiles(files, loaded, &error)) {
        writeErr(QStringLiteral("ikev2wb: %1\n").arg(error));
        return ExitBadInput;
    }
    for (const Host h : {Host::A, Host::B})
        if (const auto &ix = loaded.index(h)) {
            for (const QString &n : ix->set.notes)
                writeErr(QStringLiteral("ikev2wb: note: %1: %2\n")
                             .arg(QLatin1String(h == Host::A ? "A" : "B"), n));
            noteScope(*ix, QLatin1String(h == Host::A ? "A: " : "B: "));
        }
    if (json)
        writeOut(diagnosisJson(loaded.diagnosis()));
    else
        writeOut(diagnosisText(loaded.diagnosis()));
    int rc = ExitOk;
    if (!pdfPath.isEmpty()) {
        if (!report::writePdfReport(pdfPath, report::reportInput(loaded), &error)) {
            writeErr(QStringLiteral("ikev2wb: %1\n").arg(error));
            rc = ExitBadInput;
        }
    }
    if (!scriptPath.isEmpty() &&
        !writeOutputFile(scriptPath, fixScript(loaded.diagnosis()).toUtf8(), true, &error)) {
        writeErr(QStringLiteral("ikev2wb: cannot write the fix script: %1\n").arg(error));
        rc = ExitBadInput;
    }
    for (const QString &w : loaded.warnings()) {
        writeErr(QStringLiteral("ikev2wb: %1\n").arg(w));
        rc = ExitBadInput;
    }
    return rc;
}

namespace {
std::atomic_bool g_probeCancel{false};
extern "C" void cancelProbe(int)
{
    g_probeCancel.store(true);
}
} // namespace

int probe(const QStringList &args)
{
    probe::ProbeOptions o;
    bool json = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        auto number = [&](int lo, int hi, int &into) {
            bool ok = false;
            const int v = i + 1 < args.size() ? args[i + 1].toInt(&ok) : 0;
            if (!ok || v < lo || v > hi) return false;
            into = v;
            ++i;
            return true;
        };
        int n = 0;
        if (a == QLatin1String("--json")) {
            json = true;
        } else if (a == QLatin1String("-6")) {
            o.ipv6 = true;
        } else if (a == QLatin1String("--proto")) {
            const QString v = i + 1 < args.size() ? args[++i] : QString();
            if (v == QLatin1String("icmp"))
                o.proto = probe::Proto::Icmp;
            else if (v == QLatin1String("udp"))
                o.proto = probe::Proto::Udp;
            else
                return usageError(QStringLiteral("--proto takes icmp or udp"));
        } else if (a == QLatin1String("--port")) {
            if (!number(1, 65535, n))
                return usageError(QStringLiteral("--port needs a port number (1 to 65535)"));
            o.port = std::uint16_t(n);
        } else if (a == QLatin1String("--min")) {
            if (!number(1, 65535, o.minSize))
                return usageError(QStringLiteral("--min needs a size in bytes"));
        } else if (a == QLatin1String("--max")) {
            if (!number(1, 65535, o.maxSize))
                return usageError(QStringLiteral("--max needs a size in bytes"));
        } else if (a == QLatin1String("--tries")) {
            if (!number(1, 10, o.tries)) return usageError(QStringLiteral("--tries needs a count (1 to 10)"));
        } else if (a == QLatin1String("--timeout")) {
            bool ok = false;
            o.timeoutS = i + 1 < args.size() ? args[++i].toDouble(&ok) : 0;
            if (!ok) return usageError(QStringLiteral("--timeout needs seconds (0.05 to 10)"));
        } else if (a.startsWith(QLatin1Char('-'))) {
            return usageError(QStringLiteral("probe does not take '%1'").arg(a));
        } else if (o.host.isEmpty()) {
            o.host = a;
        } else {
            return usageError(QStringLiteral("probe takes one target host"));
        }
    }
    if (o.host.isEmpty()) return usageError(QStringLiteral("probe needs a target host"));
    probe::ProbeOptions checked = o;
    const QString invalid = probe::validateOptions(checked);
    if (!invalid.isEmpty()) return usageError(invalid);

    // Ctrl-C / SIGTERM end the search at the next 100 ms poll; the partial result is printed.
    struct sigaction sa = {};
    sa.sa_handler = cancelProbe;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    auto progress = [json](const probe::SizeProbe &p) {
        if (!json) {
            writeOut(probe::sizeProbeText(p) + QLatin1Char('\n'));
            std::fflush(stdout);
        }
    };
    const probe::ProbeResult r = probe::runPathProbe(o, progress, &g_probeCancel);
    if (!r.error.isEmpty() && r.probes.empty()) {
        writeErr(QStringLiteral("ikev2wb: %1\n").arg(r.error));
        return ExitCannotProbe;
    }
    if (json)
        writeOut(probe::probeJson(r));
    else
        writeOut(probe::probeText(r));
    if (r.cancelled) {
        writeErr(QStringLiteral("ikev2wb: probe interrupted; the result is partial\n"));
        return ExitInterrupted;
    }
    return ExitOk;
}

} // namespace ikev2wb::cli
