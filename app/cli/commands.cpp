#include "commands.h"

#include "index/indexbuilder.h"
#include "report/capturesummary.h"
#include "report/jsonwriter.h"

#include <cstdio>

namespace ikev2wb::cli {

namespace {

void writeOut(const std::string &s) { std::fwrite(s.data(), 1, s.size(), stdout); }
void writeOut(const QString &s) { writeOut(s.toStdString()); }
void writeErr(const QString &s)
{
    const QByteArray b = s.toUtf8();
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
            if (a == QLatin1String("--json"))
                p.json = true;
        } else {
            p.positional << a;
        }
    }
    return p;
}

std::unique_ptr<CaptureIndex> load(const QString &path, int &exitCode)
{
    QString error;
    auto index = loadCapture(path, &error);
    if (!index) {
        writeErr(QStringLiteral("ikev2wb: %1\n").arg(error));
        exitCode = ExitBadInput;
        return nullptr;
    }
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
        "  summary FILE [--json]   packets by kind, endpoints, ESP SAs, IKE SAs and exchanges\n"
        "  packets FILE [--json]   one line (or JSON object) per packet\n"
        "\n"
        "options:\n"
        "  --json                  machine-readable output (fields documented in README.md)\n"
        "  --help                  this text\n"
        "  --version               program, Qt and libpcap versions\n"
        "\n"
        "exit status: 0 success, 2 usage error, 3 unreadable or corrupt input\n");
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

int summary(const QStringList &args)
{
    const Parsed p = parse(args, {QStringLiteral("--json")});
    if (!p.error.isEmpty())
        return usageError(p.error);
    if (p.positional.size() != 1)
        return usageError(QStringLiteral("summary takes exactly one capture file"));
    int rc = ExitOk;
    auto index = load(p.positional.front(), rc);
    if (!index)
        return rc;
    const CaptureSummary s = summarize(*index);
    if (p.json)
        writeOut(summaryJson(*index, s));
    else
        writeOut(summaryText(*index, s));
    return finishWith(*index);
}

int packets(const QStringList &args)
{
    const Parsed p = parse(args, {QStringLiteral("--json")});
    if (!p.error.isEmpty())
        return usageError(p.error);
    if (p.positional.size() != 1)
        return usageError(QStringLiteral("packets takes exactly one capture file"));
    int rc = ExitOk;
    auto index = load(p.positional.front(), rc);
    if (!index)
        return rc;
    std::string buf;
    buf.reserve(1 << 20);
    for (std::size_t i = 0; i < index->packetCount(); ++i) {
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

} // namespace ikev2wb::cli
